//! A differential test against iron-session 9.0.1 (Node 22): seeded random seals made by the real
//! iron-session, and mutations of them (every field, the suffix, the expiration around the 60 s
//! skew), opened by iron-session's `unsealData` and by `unseal_data`. The verdict (opened, or the
//! reason) and the data must agree, except for the documented differences listed in
//! `docs/differences-from-iron-session.md`, which this test checks are exactly what they are.
//!
//! The cases come from proptest strategies run with a seeded generator: a fresh seed from the OS on
//! each run, printed on failure; `IRONSESSION_DIFFERENTIAL_SEED=<u64>` replays the same payloads,
//! passwords, clocks and mutations (iron-session draws the seals' salts and IVs itself, so the
//! seals' bytes differ between replays).

mod node;

use ironsession::{Passwords, UnsealError, unseal_data_at};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use node::{Version, run_batch_lines};

/// Seals made by iron-session per run; each gets about 40 mutations.
const SEALS: usize = 60;
/// A private-use character that stands for a lone high surrogate: the request text sent to Node
/// has `\ud83c` in its place, so iron-session seals half an emoji, as a cut JavaScript string.
const LONE_SURROGATE_MARKER: char = '\u{f8ff}';
const SKEW_MS: u64 = 60_000;

fn seed() -> u64 {
    node::seed("IRONSESSION_DIFFERENTIAL_SEED")
}

fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// One value from `strategy`.
fn draw<S: Strategy>(runner: &mut TestRunner, strategy: S) -> S::Value {
    strategy
        .new_tree(runner)
        .expect("the strategies never reject")
        .current()
}

// ---------------------------------------------------------------------------------------------
// What iron-session seals
// ---------------------------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "[a-zA-Z0-9 _.-]{0,12}",
        1 => "[a-z🎉]{0,4}".prop_map(|s| format!("{s}{LONE_SURROGATE_MARKER}")),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinities", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn payload() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(text(), json_value(), 0..8)
        .prop_map(|map| map.into_iter().collect())
}

/// A password as iron-session takes it: one string (id 1) or a map whose highest id seals.
fn password() -> impl Strategy<Value = Value> {
    let secret = "[A-Za-z0-9!#%&()*+,./:;<=>?@^_{|}~-]{32,48}";
    prop_oneof![
        secret.prop_map(Value::String),
        (secret, secret).prop_map(|(one, two)| json!({"1": one, "2": two})),
    ]
}

#[derive(Debug)]
struct SealCase {
    password: Value,
    payload: Map<String, Value>,
    ttl_seconds: u64,
    now_ms: u64,
}

fn seal_case() -> impl Strategy<Value = SealCase> {
    (
        password(),
        payload(),
        prop_oneof![Just(0u64), 1u64..=30 * 24 * 3600],
        1_600_000_000_000u64..2_000_000_000_000,
    )
        .prop_map(|(password, payload, ttl_seconds, now_ms)| SealCase {
            password,
            payload,
            ttl_seconds,
            now_ms,
        })
}

/// iron-session 9's answers to `requests`, sent with every marker turned into a lone surrogate
/// escape.
fn ask_iron_session_9(requests: impl Iterator<Item = Value>) -> Vec<Value> {
    let lines: Vec<String> = requests
        .map(|request| {
            serde_json::to_string(&request)
                .expect("requests serialize")
                .replace(LONE_SURROGATE_MARKER, "\\ud83c")
        })
        .collect();
    run_batch_lines(Version::V9, &lines)
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

struct Mutation {
    what: String,
    seal: String,
    now_ms: u64,
}

fn fields(seal: &str) -> Vec<String> {
    seal.split('~')
        .next()
        .unwrap_or_default()
        .split('*')
        .map(str::to_owned)
        .collect()
}

fn join(fields: &[String], suffix: &str) -> String {
    format!("{}{suffix}", fields.join("*"))
}

/// The seal itself, at clocks around its expiration, and with each field, the suffix and the
/// structure changed in the ways a client can change them.
fn mutations(runner: &mut TestRunner, seal: &str, now_ms: u64) -> Vec<Mutation> {
    let original = fields(seal);
    let mut out = vec![Mutation {
        what: "unchanged".into(),
        seal: seal.to_owned(),
        now_ms,
    }];
    if let Ok(expiration) = original[5].parse::<u64>() {
        for (what, at) in [
            (
                "clock at expiration + skew - 1 ms",
                expiration + SKEW_MS - 1,
            ),
            ("clock at expiration + skew", expiration + SKEW_MS),
            (
                "clock at expiration + skew + 1 ms",
                expiration + SKEW_MS + 1,
            ),
            ("clock at expiration", expiration),
        ] {
            out.push(Mutation {
                what: what.into(),
                seal: seal.to_owned(),
                now_ms: at,
            });
        }
    }
    let alphabet: Vec<char> = "0123456789abcdefABCDEF_-xyz~*.=+/ ".chars().collect();
    for index in 0..original.len() {
        let field = &original[index];
        let mut changed = |what: &str, value: String| {
            let mut copy = original.clone();
            copy[index] = value;
            out.push(Mutation {
                what: format!("field {index}: {what}"),
                seal: join(&copy, "~2"),
                now_ms,
            });
        };
        changed("empty", String::new());
        changed("one more character", format!("{field}A"));
        if !field.is_empty() {
            changed("one character less", field[..field.len() - 1].to_owned());
            let at = draw(runner, 0..field.len());
            let replacement = draw(runner, prop::sample::select(alphabet.clone()));
            let mut chars: Vec<char> = field.chars().collect();
            chars[at] = replacement;
            changed("one character replaced", chars.into_iter().collect());
        }
    }
    let expiration = original[5].clone();
    let mut with_expiration = |what: &str, value: String| {
        let mut copy = original.clone();
        copy[5] = value;
        out.push(Mutation {
            what: format!("expiration {what}"),
            seal: join(&copy, "~2"),
            now_ms,
        });
    };
    with_expiration("0", "0".into());
    with_expiration("00", "00".into());
    with_expiration("with a leading zero", format!("0{expiration}"));
    with_expiration("negative", format!("-{expiration}"));
    with_expiration("fractional", format!("{expiration}.5"));
    for (what, id) in [
        ("unknown", "9"),
        ("constructor", "constructor"),
        ("__proto__", "__proto__"),
        ("default", "default"),
        ("empty", ""),
    ] {
        let mut copy = original.clone();
        copy[1] = id.into();
        out.push(Mutation {
            what: format!("password id {what}"),
            seal: join(&copy, "~2"),
            now_ms,
        });
    }
    for suffix in ["", "~", "~1", "~3", "~2~2", "~2 ", "~garbage*with*stars"] {
        out.push(Mutation {
            what: format!("suffix {suffix:?}"),
            seal: join(&original, suffix),
            now_ms,
        });
    }
    let mut nine = original.clone();
    nine.push("extra".into());
    out.push(Mutation {
        what: "nine fields".into(),
        seal: join(&nine, "~2"),
        now_ms,
    });
    out.push(Mutation {
        what: "seven fields".into(),
        seal: join(&original[..7], "~2"),
        now_ms,
    });
    out.push(Mutation {
        what: "surrounding spaces".into(),
        seal: format!(" {seal} "),
        now_ms,
    });
    out
}

// ---------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------

/// What a reader made of a seal: the data, or the reason it gave (and for ironsession, the
/// detailed cause, which is shown but not compared).
#[derive(Debug)]
enum Verdict {
    Opened(Value),
    Refused(
        String,
        // Shown in failure messages.
        #[allow(dead_code)] Option<ironsession::SealError>,
    ),
}

impl PartialEq for Verdict {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Verdict::Opened(a), Verdict::Opened(b)) => a == b,
            (Verdict::Refused(a, _), Verdict::Refused(b, _)) => a == b,
            _ => false,
        }
    }
}

fn node_verdict(response: &Value) -> Verdict {
    assert_eq!(response["ok"], true, "node failed: {response}");
    match response.get("unseal_error") {
        Some(error) => Verdict::Refused(
            error["reason"].as_str().unwrap_or_default().to_owned(),
            None,
        ),
        None => Verdict::Opened(response["payload"].clone()),
    }
}

fn rust_verdict(result: Result<Value, UnsealError>) -> Verdict {
    match result {
        Ok(value) => Verdict::Opened(value),
        Err(error) => Verdict::Refused(error.reason().as_str().to_owned(), error.cause().cloned()),
    }
}

/// Levels of nesting in the one deep payload: past `iron_seal::MAX_JSON_DEPTH`.
const DEEP: usize = 130;

fn nested_arrays(depth: usize) -> Value {
    (0..depth).fold(Value::Null, |inner, _| Value::Array(vec![inner]))
}

/// The properties every JavaScript object inherits: as a password id, iron-session finds the
/// inherited value where a password should be and fails with `invalid`.
const INHERITED_NAMES: [&str; 12] = [
    "constructor",
    "__proto__",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

/// Which documented difference (docs/differences-from-iron-session.md) this is, if it is one,
/// exactly as documented.
fn documented_difference(
    mutation: &Mutation,
    node: &Verdict,
    rust: &Verdict,
) -> Option<&'static str> {
    let id = fields(&mutation.seal).get(1).cloned().unwrap_or_default();
    // 1. A password id naming an inherited JavaScript property: refused by both, with another
    //    reason.
    let inherited_id = INHERITED_NAMES.contains(&id.as_str())
        && matches!(node, Verdict::Refused(reason, _) if reason == "invalid")
        && matches!(
            rust,
            Verdict::Refused(reason, Some(ironsession::SealError::UnknownPasswordId { .. }))
                if reason == "unknown-password"
        );
    // 2. JSON nested past serde_json's limit: iron-session reads it, ironsession refuses it and
    //    names the limit.
    let too_deep = matches!(node, Verdict::Opened(data) if data.get("deep").is_some())
        && matches!(
            rust,
            Verdict::Refused(reason, Some(ironsession::SealError::JsonTooDeep { limit: 128 }))
                if reason == "invalid"
        );
    // 3. Another spelling of the right HMAC (other unused bits in its last character):
    //    iron-session decodes it leniently and opens the seal, ironsession wants the one
    //    canonical spelling.
    let hmac = fields(&mutation.seal).get(7).cloned().unwrap_or_default();
    let hmac_respelled = mutation.what == "field 7: one character replaced"
        && hmac.len() == 43
        && matches!(node, Verdict::Opened(_))
        && matches!(
            rust,
            Verdict::Refused(reason, Some(ironsession::SealError::BadMac)) if reason == "invalid"
        );
    if inherited_id {
        Some(INHERITED_ID)
    } else if too_deep {
        Some(TOO_DEEP)
    } else if hmac_respelled {
        Some("another spelling of the right HMAC")
    } else {
        None
    }
}

const INHERITED_ID: &str = "password id naming an inherited JavaScript property";
const TOO_DEEP: &str = "JSON nested past the limit";

#[test]
fn iron_session_9_and_ironsession_agree_on_seals_and_their_mutations() {
    let seed = seed();
    let mut runner = runner(seed);
    let mut cases: Vec<SealCase> = (0..SEALS).map(|_| draw(&mut runner, seal_case())).collect();
    // Nesting past serde_json's limit, which iron-session reads (documented difference 2).
    let mut deep = draw(&mut runner, seal_case());
    deep.payload = Map::from_iter([("deep".to_owned(), nested_arrays(DEEP))]);
    cases.push(deep);
    let sealed = ask_iron_session_9(cases.iter().map(|case| {
        json!({
            "op": "seal",
            "password": case.password,
            "payload": case.payload,
            "ttl": case.ttl_seconds,
            "now_ms": case.now_ms,
        })
    }));

    let mut mutated = Vec::new();
    for (case, response) in cases.iter().zip(&sealed) {
        let seal = response["seal"]
            .as_str()
            .unwrap_or_else(|| panic!("iron-session did not seal (seed {seed}): {response}"));
        for mutation in mutations(&mut runner, seal, case.now_ms) {
            mutated.push((case, mutation));
        }
    }
    let opened = ask_iron_session_9(mutated.iter().map(|(case, mutation)| {
        json!({
            "op": "unseal",
            "password": case.password,
            "seal": mutation.seal,
            "now_ms": mutation.now_ms,
        })
    }));

    let mut differences = Vec::new();
    let (mut agreed_open, mut agreed_refused, mut lone_surrogates) = (0, 0, 0);
    let mut documented = std::collections::BTreeSet::new();
    for ((case, mutation), response) in mutated.iter().zip(&opened) {
        let passwords = match &case.password {
            Value::String(one) => Passwords::dangerous_allow_weak_single(one.as_str()),
            map => Passwords::dangerous_allow_weak_parse(&map.to_string()),
        }
        .expect("the case's passwords");
        let node = node_verdict(response);
        let rust = rust_verdict(unseal_data_at(&mutation.seal, &passwords, mutation.now_ms));
        if node == rust {
            match &rust {
                Verdict::Opened(value) => {
                    agreed_open += 1;
                    if value.to_string().contains('\u{fffd}') {
                        lone_surrogates += 1;
                    }
                }
                Verdict::Refused(..) => agreed_refused += 1,
            }
        } else if let Some(kind) = documented_difference(mutation, &node, &rust) {
            documented.insert(kind);
        } else {
            differences.push(format!(
                "{}: iron-session {node:?}, ironsession {rust:?}\n  seal {}",
                mutation.what, mutation.seal
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} difference(s) with seed {seed} (replay with IRONSESSION_DIFFERENTIAL_SEED={seed}):\n{}",
        differences.len(),
        differences
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The run really compared both kinds of verdict, and data with lone surrogates.
    assert!(agreed_open >= SEALS, "only {agreed_open} seals opened");
    assert!(
        agreed_refused >= SEALS * 20,
        "only {agreed_refused} refusals"
    );
    assert!(
        lone_surrogates > 0,
        "no lone surrogate was exercised (seed {seed})"
    );
    // The documented differences every run meets still occur: the document describes today's
    // behaviour. (The third needs a rare mutation.)
    assert!(
        documented.contains(INHERITED_ID) && documented.contains(TOO_DEEP),
        "documented differences seen: {documented:?}"
    );
}
