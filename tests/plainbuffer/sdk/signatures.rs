//! Random v2 signature inputs. Header names are lower-case `x-ots-*` names (what SDKs and HTTP
//! stacks send) plus headers that must not be signed; values carry spaces to be trimmed.

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

#[derive(Debug)]
pub struct SignatureCase {
    pub secret: String,
    pub action: String,
    pub headers: Vec<(String, String)>,
}

impl SignatureCase {
    pub fn request(&self, id: usize) -> Json {
        json!({
            "id": id,
            "kind": "signature",
            "secret": self.secret,
            "action": self.action,
            "headers": self.headers,
        })
    }
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[ \t]{0,2}[!-~]([ -~]{0,30}[!-~])?[ \t]{0,2}"
    ]
}

fn case() -> impl Strategy<Value = SignatureCase> {
    let standard = [
        "x-ots-date",
        "x-ots-apiversion",
        "x-ots-accesskeyid",
        "x-ots-instancename",
        "x-ots-contentmd5",
    ];
    let secret = prop_oneof!["[ -~]{0,40}", any::<String>()];
    let action = prop_oneof![
        prop::sample::select(vec!["ListTable", "GetRange", "BatchWriteRow", "PutRow"])
            .prop_map(String::from),
        "[A-Za-z]{1,24}",
    ];
    let standard_values = prop::collection::vec(header_value(), standard.len());
    let extra = prop::collection::vec(("x-ots-[a-z]{1,12}", header_value()), 0..3);
    let unsigned = prop::collection::vec(
        (
            prop::sample::select(vec![
                "content-type",
                "user-agent",
                "host",
                "date",
                "x-other",
            ]),
            header_value(),
        ),
        0..3,
    );
    (
        secret,
        action,
        standard_values,
        prop::option::of(header_value()),
        extra,
        unsigned,
    )
        .prop_map(move |(secret, action, values, sts, extra, unsigned)| {
            // A map, so no name appears twice (the SDK keeps headers in a dict).
            let mut headers: BTreeMap<String, String> =
                standard.iter().map(|n| n.to_string()).zip(values).collect();
            headers.extend(sts.map(|v| ("x-ots-ststoken".to_string(), v)));
            headers.extend(extra);
            headers.extend(unsigned.into_iter().map(|(n, v)| (n.to_string(), v)));
            SignatureCase {
                secret,
                action,
                headers: headers.into_iter().collect(),
            }
        })
}

pub fn cases() -> Vec<SignatureCase> {
    let mut runner = TestRunner::deterministic();
    super::sample(&mut runner, &case(), 500)
}
