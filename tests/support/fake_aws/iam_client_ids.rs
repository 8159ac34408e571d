//! `AddClientIDToOpenIDConnectProvider` and `RemoveClientIDFromOpenIDConnectProvider`, which
//! moto does not implement, served by the IAM front on top of moto's own provider: read it
//! (GetOpenIDConnectProvider), then replace it with the new client id list (delete and create:
//! its ARN is its URL's, so it stays the same). As on IAM both are idempotent (adding a
//! present id or removing an absent one changes nothing) and a missing provider is
//! NoSuchEntity, moto's own answer.

use std::time::Duration;

use super::http as raw_http;
use super::moto::MOTO_ACCOUNT_HEADER;
use super::server::xml_escape;

const TIMEOUT: Duration = Duration::from_secs(60);

pub const ACTIONS: &[&str] = &[
    "AddClientIDToOpenIDConnectProvider",
    "RemoveClientIDFromOpenIDConnectProvider",
];

/// The texts of every `<tag>` element under the first `<list>` element.
fn members(xml: &str, list: &str) -> Vec<String> {
    let Some(start) = xml.find(&format!("<{list}>")) else {
        return Vec::new();
    };
    let rest = &xml[start..];
    let end = rest.find(&format!("</{list}>")).unwrap_or(rest.len());
    rest[..end]
        .split("<member>")
        .skip(1)
        .filter_map(|m| m.split("</member>").next())
        .map(str::to_string)
        .collect()
}

fn element(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_string())
}

fn form(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Who is asking: moto routes a request to IAM by its SigV4 credential scope, so the
/// client's own Authorization header goes along.
pub struct Caller<'a> {
    pub account: Option<&'a str>,
    pub authorization: Option<&'a str>,
}

async fn call(
    moto_url: &str,
    caller: &Caller<'_>,
    pairs: &[(&str, String)],
) -> Result<raw_http::RawResponse, String> {
    let mut headers = vec![(
        "content-type".to_string(),
        "application/x-www-form-urlencoded".to_string(),
    )];
    if let Some(a) = caller.authorization {
        headers.push(("authorization".to_string(), a.to_string()));
    }
    if let Some(a) = caller.account {
        headers.push((MOTO_ACCOUNT_HEADER.to_string(), a.to_string()));
    }
    raw_http::request(
        moto_url,
        "POST",
        "/",
        &headers,
        form(pairs).as_bytes(),
        TIMEOUT,
    )
    .await
}

/// Serves `action` for provider `arn` and `client_id`: `(status, error code, XML body)`.
pub async fn serve(
    moto_url: &str,
    caller: &Caller<'_>,
    action: &str,
    arn: &str,
    client_id: &str,
) -> (u16, Option<String>, String) {
    let v = ("Version", "2010-05-08".to_string());
    let got = match call(
        moto_url,
        caller,
        &[
            ("Action", "GetOpenIDConnectProvider".into()),
            v.clone(),
            ("OpenIDConnectProviderArn", arn.to_string()),
        ],
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return (503, Some("ServiceUnavailable".into()), e),
    };
    let text = got.text();
    if got.status >= 400 {
        return (got.status, element(&text, "Code"), text);
    }
    let url = element(&text, "Url").unwrap_or_default();
    let mut ids = members(&text, "ClientIDList");
    let thumbprints = members(&text, "ThumbprintList");
    let before = ids.clone();
    if action.starts_with("Add") {
        if !ids.iter().any(|i| i == client_id) {
            ids.push(client_id.to_string());
        }
    } else {
        ids.retain(|i| i != client_id);
    }
    if ids != before {
        let _ = call(
            moto_url,
            caller,
            &[
                ("Action", "DeleteOpenIDConnectProvider".into()),
                v.clone(),
                ("OpenIDConnectProviderArn", arn.to_string()),
            ],
        )
        .await;
        let url = if url.starts_with("https://") {
            url
        } else {
            format!("https://{url}")
        };
        let mut pairs = vec![
            ("Action", "CreateOpenIDConnectProvider".to_string()),
            v,
            ("Url", url),
        ];
        let keys: Vec<String> = (1..=ids.len())
            .map(|n| format!("ClientIDList.member.{n}"))
            .collect();
        let tkeys: Vec<String> = (1..=thumbprints.len())
            .map(|n| format!("ThumbprintList.member.{n}"))
            .collect();
        for (k, id) in keys.iter().zip(&ids) {
            pairs.push((k.as_str(), id.clone()));
        }
        for (k, t) in tkeys.iter().zip(&thumbprints) {
            pairs.push((k.as_str(), t.clone()));
        }
        match call(moto_url, caller, &pairs).await {
            Ok(r) if r.status < 400 => {}
            Ok(r) => return (r.status, element(&r.text(), "Code"), r.text()),
            Err(e) => return (503, Some("ServiceUnavailable".into()), e),
        }
    }
    let body = format!(
        "<{action}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        xml_escape(&super::server::request_id())
    );
    (200, None, body)
}
