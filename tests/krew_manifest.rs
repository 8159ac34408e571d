//! Checks `krew-manifest.yaml` against the rules krew's `validate-krew-manifest` enforces
//! (plus the ones krew-index review asks for: a LICENSE in every archive, the five usual
//! platforms), checks `LICENSE`, and runs `scripts/package-release.sh` on stand-in binaries to
//! show that the manifest it rewrites still passes and carries the archives' real checksums.
//! Broken manifests are fed to the same validator so that it cannot pass vacuously.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const API_VERSION: &str = "krew.googlecontainertools.github.com/v1alpha2";
const KIND: &str = "Plugin";
const REQUIRED_PLATFORMS: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];
/// Names Windows cannot use for a file; krew refuses them as plugin names.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The plugin name is the binary's name without `kubectl-`: `kubectl-irsa` -> `irsa`.
fn plugin_name() -> &'static str {
    env!("CARGO_PKG_NAME")
        .strip_prefix("kubectl-")
        .expect("package name starts with kubectl-")
}

fn expected_version() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

fn parse(yaml: &str) -> Value {
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("manifest is not valid YAML: {e}"))
}

fn is_plugin_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !WINDOWS_RESERVED.contains(&name)
}

/// Semantic version 2.0.0: MAJOR.MINOR.PATCH, numbers without leading zeros, then optional
/// `-prerelease` and `+build` made of dot-separated [0-9A-Za-z-] identifiers.
fn is_semver(s: &str) -> bool {
    fn number(n: &str) -> bool {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    }
    fn idents(s: &str, numeric_rule: bool) -> bool {
        s.split('.').all(|id| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && (!numeric_rule || !id.bytes().all(|b| b.is_ascii_digit()) || number(id))
        })
    }
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(|p| idents(p, true))
        && build.is_none_or(|b| idents(b, false))
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// Every rule the manifest breaks, as readable reasons; empty when it is valid.
fn validate(doc: &Value, name: &str, version: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let mut err = |m: String| errs.push(m);

    if str_at(doc, &["apiVersion"]) != Some(API_VERSION) {
        err(format!("apiVersion must be {API_VERSION}"));
    }
    if str_at(doc, &["kind"]) != Some(KIND) {
        err(format!("kind must be {KIND}"));
    }
    match str_at(doc, &["metadata", "name"]) {
        None => err("metadata.name is missing".into()),
        Some(n) if !is_plugin_name(n) => {
            err(format!("metadata.name {n:?} is not a valid plugin name"))
        }
        Some(n) if n != name => err(format!(
            "metadata.name {n:?} does not match plugin name {name:?}"
        )),
        Some(_) => {}
    }
    match str_at(doc, &["spec", "version"]) {
        None => err("spec.version is missing".into()),
        Some(v) => match v.strip_prefix('v') {
            None => err(format!("spec.version {v:?} does not start with 'v'")),
            Some(s) if !is_semver(s) => err(format!("spec.version {v:?} is not semver")),
            Some(_) if v != version => err(format!(
                "spec.version {v:?} is not {version:?} (Cargo.toml)"
            )),
            Some(_) => {}
        },
    }
    match str_at(doc, &["spec", "shortDescription"]).map(str::trim) {
        None | Some("") => err("spec.shortDescription is missing".into()),
        Some(d) if d.chars().count() > 50 || d.contains('\n') => err(format!(
            "spec.shortDescription {d:?} must be one line of at most 50 characters"
        )),
        Some(_) => {}
    }
    if let Some(h) = doc.pointer("/spec/homepage")
        && !h.as_str().is_some_and(|h| h.starts_with("https://"))
    {
        err("spec.homepage must be an https URL".into());
    }

    let platforms = match doc.pointer("/spec/platforms").and_then(Value::as_array) {
        Some(p) if !p.is_empty() => p.as_slice(),
        _ => {
            err("spec.platforms must list at least one platform".into());
            &[]
        }
    };
    let mut seen = BTreeSet::new();
    for (i, p) in platforms.iter().enumerate() {
        let at = |m: &str| format!("platform {i}: {m}");
        let os = str_at(p, &["selector", "matchLabels", "os"]).unwrap_or_default();
        let arch = str_at(p, &["selector", "matchLabels", "arch"]).unwrap_or_default();
        if os.is_empty() || arch.is_empty() {
            err(at("selector.matchLabels needs os and arch"));
        } else if !seen.insert((os.to_string(), arch.to_string())) {
            err(at(&format!("duplicate selector {os}/{arch}")));
        }

        let uri = str_at(p, &["uri"]).unwrap_or_default();
        if uri.is_empty() {
            err(at("uri is missing"));
        } else if !uri.starts_with("https://") {
            err(at(&format!("uri {uri:?} is not https")));
        } else if ![".tar.gz", ".tgz", ".zip"].iter().any(|e| uri.ends_with(e)) {
            err(at(&format!(
                "uri {uri:?} is not a .tar.gz, .tgz or .zip archive"
            )));
        } else {
            // Catches copy-paste slips: the archive must be this release's, for this platform.
            let file = uri.rsplit('/').next().unwrap_or_default();
            let stem = file.trim_end_matches(".zip").trim_end_matches(".tar.gz");
            if !os.is_empty() && !stem.ends_with(&format!("_{os}_{arch}")) {
                err(at(&format!(
                    "uri {uri:?} is not the archive for {os}/{arch}"
                )));
            }
            if !uri.contains(&format!("/{version}/")) || !file.contains(version) {
                err(at(&format!("uri {uri:?} is not for version {version}")));
            }
        }

        match str_at(p, &["sha256"]) {
            None => err(at("sha256 is missing")),
            Some(s) if !is_sha256(s) => {
                err(at(&format!("sha256 {s:?} is not 64 lowercase hex chars")))
            }
            Some(_) => {}
        }

        let bin = str_at(p, &["bin"]).unwrap_or_default();
        if bin.is_empty() {
            err(at("bin is missing"));
        } else if bin.contains(['/', '\\']) || bin == "." || bin == ".." {
            err(at(&format!("bin {bin:?} must be a plain file name")));
        } else if os == "windows" && !bin.ends_with(".exe") {
            err(at(&format!("bin {bin:?} must end with .exe on windows")));
        }

        match p.get("files").map(Value::as_array) {
            None => err(at("files is missing")),
            Some(None) => err(at("files must be a list")),
            Some(Some(files)) if files.is_empty() => err(at("files must not be empty")),
            Some(Some(files)) => {
                let mut from = BTreeSet::new();
                for (j, f) in files.iter().enumerate() {
                    match (str_at(f, &["from"]), str_at(f, &["to"])) {
                        (Some(fr), Some(to)) if !fr.is_empty() && !to.is_empty() => {
                            from.insert(fr.rsplit('/').next().unwrap_or(fr));
                        }
                        _ => err(at(&format!("files[{j}] needs non-empty from and to"))),
                    }
                }
                if !from.contains("LICENSE") {
                    err(at("files must copy LICENSE out of the archive"));
                }
                if !bin.is_empty() && !from.contains(bin) {
                    err(at(&format!(
                        "files must copy the binary {bin:?} out of the archive"
                    )));
                }
            }
        }
    }
    for (os, arch) in REQUIRED_PLATFORMS {
        if !seen.contains(&(os.to_string(), arch.to_string())) {
            err(format!("no platform for {os}/{arch}"));
        }
    }
    errs
}

fn read_manifest() -> String {
    std::fs::read_to_string(root().join("krew-manifest.yaml")).expect("read krew-manifest.yaml")
}

#[test]
fn manifest_passes_krew_rules() {
    let doc = parse(&read_manifest());
    let errs = validate(&doc, plugin_name(), &expected_version());
    assert!(
        errs.is_empty(),
        "krew-manifest.yaml is invalid:\n  {}",
        errs.join("\n  ")
    );
    // Sanity on what was parsed, so a document that parsed to something odd cannot slip by.
    assert_eq!(doc["metadata"]["name"], "irsa");
    assert_eq!(doc["spec"]["platforms"].as_array().map(Vec::len), Some(5));
    for field in ["description", "caveats"] {
        let text = str_at(&doc, &["spec", field]).unwrap_or_default();
        assert!(
            text.lines().count() >= 3,
            "spec.{field} should be a few lines"
        );
    }
}

#[test]
fn license_is_apache_2() {
    let text = std::fs::read_to_string(root().join("LICENSE")).expect("LICENSE at the top level");
    assert!(
        text.trim_start().starts_with("Apache License"),
        "LICENSE must start with 'Apache License'"
    );
    for needle in [
        "Version 2.0, January 2004",
        "http://www.apache.org/licenses/",
        "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
        "9. Accepting Warranty or Additional Liability.",
        "END OF TERMS AND CONDITIONS",
        "APPENDIX: How to apply the Apache License to your work.",
        "limitations under the License.",
    ] {
        assert!(
            text.contains(needle),
            "LICENSE lacks {needle:?}: not the full Apache-2.0 text"
        );
    }
    assert!(
        text.lines().count() >= 200,
        "LICENSE is shorter than the full Apache-2.0 text"
    );
}

/// The committed manifest with one line replaced; panics if `from` is not in it, so a
/// negative case can never silently test the valid manifest.
fn broken(from: &str, to: &str) -> String {
    let text = read_manifest();
    assert!(
        text.contains(from),
        "negative case: {from:?} not in the manifest"
    );
    text.replacen(from, to, 1)
}

fn assert_rejected(yaml: &str, reason: &str) {
    let errs = validate(&parse(yaml), plugin_name(), &expected_version());
    assert!(
        errs.iter().any(|e| e.contains(reason)),
        "expected rejection for {reason:?}, got {errs:?}"
    );
}

#[test]
fn validator_rejects_broken_manifests() {
    let sha_line = |text: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with("sha256:"))
            .unwrap()
            .to_string()
    };
    let first_sha = sha_line(&read_manifest());
    let cases: Vec<(String, &str)> = vec![
        (broken("v1alpha2", "v1alpha1"), "apiVersion must be"),
        (broken("kind: Plugin", "kind: Plugins"), "kind must be"),
        (
            broken("name: irsa", "name: IRSA"),
            "not a valid plugin name",
        ),
        (
            broken("name: irsa", "name: iam"),
            "does not match plugin name",
        ),
        (broken("name: irsa", "name: con"), "not a valid plugin name"),
        (
            broken("version: v0.1.0", "version: 0.1.0"),
            "does not start with 'v'",
        ),
        (broken("version: v0.1.0", "version: v0.1"), "is not semver"),
        (
            broken("version: v0.1.0", "version: v01.1.0"),
            "is not semver",
        ),
        (broken("version: v0.1.0", "version: v9.9.9"), "(Cargo.toml)"),
        (
            broken("  shortDescription:", "  shortDescriptionX:"),
            "shortDescription is missing",
        ),
        (
            broken(
                "shortDescription: ",
                "shortDescription: a description that goes on well past fifty characters ",
            ),
            "at most 50 characters",
        ),
        (
            broken("  platforms:\n", "  platforms: []\n  unused:\n"),
            "at least one platform",
        ),
        (broken("uri: https://", "uri: http://"), "is not https"),
        (
            broken("_linux_amd64.tar.gz", "_linux_amd64.tar.xz"),
            "is not a .tar.gz",
        ),
        (
            broken("_linux_amd64.tar.gz", "_linux_arm64.tar.gz"),
            "is not the archive for linux/amd64",
        ),
        (
            broken("download/v0.1.0/", "download/v0.0.9/"),
            "is not for version",
        ),
        (
            broken(&first_sha, "    sha256: \"abc123\""),
            "not 64 lowercase hex",
        ),
        (
            broken(
                &first_sha,
                &first_sha.to_uppercase().replace("SHA256", "sha256"),
            ),
            "not 64 lowercase hex",
        ),
        (broken(&first_sha, "    sha256x: x"), "sha256 is missing"),
        (
            broken("bin: kubectl-irsa\n", "bin: bin/kubectl-irsa\n"),
            "must be a plain file name",
        ),
        (
            broken("bin: kubectl-irsa.exe", "bin: kubectl-irsa"),
            "must end with .exe on windows",
        ),
        (
            broken("    - from: LICENSE\n      to: .\n", ""),
            "must copy LICENSE",
        ),
        (
            broken(
                "    - from: LICENSE\n      to: .\n",
                "    - from: LICENSE\n",
            ),
            "needs non-empty from and to",
        ),
        (
            broken("    - from: kubectl-irsa\n", "    - from: kubectl\n"),
            "must copy the binary",
        ),
        (
            broken(
                "        os: darwin\n        arch: arm64",
                "        os: darwin\n        arch: amd64",
            ),
            "duplicate selector darwin/amd64",
        ),
        (
            broken(
                "        os: darwin\n        arch: arm64",
                "        os: darwin\n        arch: amd64",
            ),
            "no platform for darwin/arm64",
        ),
        (
            broken("        os: windows\n", "        system: windows\n"),
            "needs os and arch",
        ),
        (
            broken("        os: windows\n", "        system: windows\n"),
            "no platform for windows/amd64",
        ),
    ];
    for (yaml, reason) in &cases {
        assert_rejected(yaml, reason);
    }
}

#[test]
fn semver_and_names() {
    for ok in [
        "0.1.0",
        "1.22.333",
        "1.0.0-rc.1",
        "1.0.0-alpha-1+build.5",
        "1.0.0+20240101",
    ] {
        assert!(is_semver(ok), "{ok} is semver");
    }
    for bad in [
        "", "1", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.x",
    ] {
        assert!(!is_semver(bad), "{bad:?} is not semver");
    }
    for ok in ["irsa", "view-secret", "ns2"] {
        assert!(is_plugin_name(ok), "{ok} is a plugin name");
    }
    for bad in ["", "Irsa", "view_secret", "a/b", "-x", "x-", "nul", "a.b"] {
        assert!(!is_plugin_name(bad), "{bad:?} is not a plugin name");
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("run sha256sum");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Runs the packaging script on stand-in binaries against a copy of the manifest: the
/// rewritten manifest must still validate and name each archive with its real checksum.
#[test]
fn package_release_script_rewrites_manifest() {
    let missing: Vec<&str> = ["bash", "tar", "gzip", "zip", "unzip", "sha256sum"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    // Never passes by skipping: ./scripts/test.sh installs these on a fresh machine.
    assert!(
        missing.is_empty(),
        "{missing:?} not installed: run ./scripts/test.sh (it installs them) or install them"
    );
    let tmp = tempfile::tempdir().unwrap();
    let bins = tmp.path().join("bin");
    for (os, arch) in REQUIRED_PLATFORMS {
        let dir = bins.join(format!("{os}_{arch}"));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = if os == "windows" {
            "kubectl-irsa.exe"
        } else {
            "kubectl-irsa"
        };
        std::fs::write(dir.join(exe), format!("stand-in for {os}/{arch}\n")).unwrap();
    }
    let manifest = tmp.path().join("krew-manifest.yaml");
    std::fs::copy(root().join("krew-manifest.yaml"), &manifest).unwrap();
    let dist = tmp.path().join("dist");
    let version = "v7.8.9-rc.1";
    let out = Command::new("bash")
        .arg(root().join("scripts/package-release.sh"))
        .args(["-v", version, "-o"])
        .arg(&dist)
        .arg("-m")
        .arg(&manifest)
        .arg(&bins)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run scripts/package-release.sh");
    assert!(
        out.status.success(),
        "package-release.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let doc = parse(&std::fs::read_to_string(&manifest).unwrap());
    let errs = validate(&doc, plugin_name(), version);
    assert!(
        errs.is_empty(),
        "rewritten manifest is invalid:\n  {}",
        errs.join("\n  ")
    );
    for p in doc["spec"]["platforms"].as_array().unwrap() {
        let uri = p["uri"].as_str().unwrap();
        let file = uri.rsplit('/').next().unwrap();
        let archive = dist.join(file);
        assert!(archive.is_file(), "no archive {file} for {uri}");
        assert_eq!(
            p["sha256"].as_str().unwrap(),
            sha256_of(&archive),
            "sha256 of {file}"
        );
        let list = if file.ends_with(".zip") {
            Command::new("unzip").arg("-Z1").arg(&archive).output()
        } else {
            Command::new("tar").arg("-tzf").arg(&archive).output()
        };
        let list = list.expect("list the archive");
        assert!(list.status.success(), "cannot list {file}");
        let list = String::from_utf8_lossy(&list.stdout);
        let names: BTreeSet<&str> = list.lines().collect();
        let bin = p["bin"].as_str().unwrap();
        assert_eq!(
            names,
            BTreeSet::from([bin, "LICENSE"]),
            "contents of {file}"
        );
    }

    // A build missing a platform must fail and leave the manifest untouched.
    let before = std::fs::read_to_string(&manifest).unwrap();
    std::fs::remove_dir_all(bins.join("darwin_arm64")).unwrap();
    let out = Command::new("bash")
        .arg(root().join("scripts/package-release.sh"))
        .args(["-v", "v7.8.10", "-o"])
        .arg(tmp.path().join("dist2"))
        .arg("-m")
        .arg(&manifest)
        .arg(&bins)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a missing platform must fail the script"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("darwin_arm64"));
    assert_eq!(
        std::fs::read_to_string(&manifest).unwrap(),
        before,
        "manifest changed on failure"
    );
}
