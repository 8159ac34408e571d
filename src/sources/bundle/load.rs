//! The per-file pipeline: bytes -> text (`decode`) -> an AWS CLI error line, or documents
//! (`parse`) -> each document recognised (`recognise`) and handed to the Kubernetes or AWS
//! accumulator. Nothing here panics or stops on bad input: a file that cannot be used becomes
//! a note naming it, and loading goes on with the next.
//!
//! To route a new kind of document, add its `Shape` in `recognise.rs` and an arm in
//! [`Loader::document`].

use serde_json::Value;

use super::aws::{AwsAcc, cli_error};
use super::kube::KubeAcc;
use super::notes::{At, Notes};
use super::parse::{self, Doc, Format};
use super::recognise::{self, Shape};
use super::{decode, error::BundleError};
use crate::model::snapshot::{Snapshot, SourceInfo};

#[derive(Default)]
pub struct Loader {
    files: Vec<String>,
    notes: Notes,
    kube: KubeAcc,
    aws: AwsAcc,
    /// Files that held at least one kubectl or AWS CLI output.
    recognised: usize,
}

impl Loader {
    pub fn note(&mut self, file: &str, message: impl Into<String>) {
        self.notes.add(file, message);
    }

    pub fn load_file(&mut self, name: String, bytes: Vec<u8>) {
        let file = self.files.len();
        self.files.push(name.clone());
        let text = match decode::text(bytes) {
            Ok(text) => text,
            Err(why) => return self.notes.add(&name, format!("{why}; skipped")),
        };
        if let Some(error) = cli_error::parse(&text) {
            self.recognised += 1;
            return self.aws.add_cli_error(&name, error, &mut self.notes);
        }
        if let Some(refusal) = super::kube::forbidden::parse(&text) {
            self.recognised += 1;
            return self.kube.add_forbidden(&name, refusal, &mut self.notes);
        }
        let (format, docs) = match parse::documents(&text) {
            Ok(parsed) => parsed,
            Err(why) => return self.notes.add(&name, format!("{why}; skipped")),
        };
        if docs.is_empty() {
            return self.notes.add(&name, "empty (no documents); skipped");
        }
        let count = docs.len();
        let mut unrecognised = Vec::new();
        for doc in docs {
            let at = At {
                file,
                name: &name,
                doc: doc.index,
                item: None,
            };
            if let Err(description) = self.document(at, &text, format, doc) {
                unrecognised.push((at, description));
            }
        }
        if unrecognised.len() < count {
            self.recognised += 1;
            for (at, description) in unrecognised {
                self.notes.add(
                    &name,
                    format!("{at}: not kubectl or AWS CLI output ({description}); skipped"),
                );
            }
        } else if let Some((_, description)) = unrecognised.first() {
            let more = match count {
                1 => String::new(),
                n => format!(", and {} more documents like it", n - 1),
            };
            self.notes.add(
                &name,
                format!("not kubectl or AWS CLI output ({description}{more}); skipped"),
            );
        }
    }

    /// Routes one document; `Err` describes what an unrecognised one looked like.
    fn document(&mut self, at: At, text: &str, format: Format, doc: Doc) -> Result<(), String> {
        let Some(shape) = recognise::classify(&doc.value) else {
            return Err(recognise::describe(&doc.value, format));
        };
        match shape {
            Shape::Kube => self.kube.add_document(at, doc.value, &mut self.notes),
            Shape::KubeArray => self.kube.add_array(at, doc.value, &mut self.notes),
            Shape::KubectlVersion => self.kube.add_version(&doc.value),
            Shape::AwsUnusable(why) => self.notes.add(at.name, format!("{at}: {why}")),
            Shape::Aws(aws) => {
                let reserialised;
                let json = match doc.span {
                    Some((start, end)) => text.get(start..end).unwrap_or(""),
                    None => {
                        reserialised = reserialise(&doc.value);
                        reserialised.as_str()
                    }
                };
                if let Err(err) = self.aws.add(aws, at, json, &mut self.notes) {
                    let err = parse::json_error_in_file(text, doc.span, &err);
                    self.notes.add(
                        at.name,
                        format!(
                            "{at}: looks like `{}` output but cannot be read: {err}; skipped",
                            aws.command()
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    pub fn finish(self, source: SourceInfo) -> Result<Snapshot, BundleError> {
        let Loader {
            files,
            mut notes,
            kube,
            aws,
            recognised,
        } = self;
        if recognised == 0 {
            return Err(BundleError::NothingRecognised {
                dir: source.description,
                notes: notes.into_vec(),
            });
        }
        let kube = kube.finish(&files, &mut notes);
        let aws = aws.finish(&mut notes);
        Ok(Snapshot {
            source,
            kube,
            aws,
            notes: notes.into_vec(),
        })
    }
}

/// A YAML document as JSON text, for the typed AWS views. Serialising a `Value` cannot fail
/// (its keys are strings); should it ever, the typed read reports the empty text.
fn reserialise(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
