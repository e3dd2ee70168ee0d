//! The examples (`examples/axum_login.rs`, `examples/actix_login.rs`), compiled into this test
//! and served on loopback ports, driven over HTTP as browsers would: the protected page refuses a
//! visitor, a login gets a new session id each time, the user sees the page, "Log out" ends the
//! session (a copy of its cookie too), and "Log out everywhere" ends the user's session in another
//! browser as well. The axum example turns on `auto_save`: a preference its handler changes
//! without `save()` reaches the cookie.
#![cfg(any(feature = "axum", feature = "actix-web"))]

#[cfg(feature = "actix-web")]
#[allow(dead_code)] // `main` and the password from the environment are the example binary's
#[path = "../examples/actix_login.rs"]
mod actix_login;
#[cfg(feature = "axum")]
#[allow(dead_code)]
#[path = "../examples/axum_login.rs"]
mod axum_login;

use cookie::Cookie;
use ironsession::{Passwords, unseal_data};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// One browser: its own cookie jar, redirects not followed (the test reads each response).
struct Browser {
    client: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: base.to_owned(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Logs in as `name`: the session cookie the login set, as `name=value`.
    async fn log_in(&self, name: &str) -> String {
        let response = self.post("/login", &[("name", name)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[LOCATION], "/account");
        let line = response.headers()[SET_COOKIE].to_str().unwrap();
        let cookie = Cookie::parse(line).unwrap();
        format!("{}={}", cookie.name(), cookie.value())
    }

    /// The protected page's status, and its body.
    async fn account(&self) -> (StatusCode, String) {
        let response = self.get("/account").await;
        (response.status(), response.text().await.unwrap())
    }
}

/// The session id sealed in a `name=seal` cookie (`_is.sid`).
fn session_id(cookie: &str, passwords: &Passwords) -> String {
    let (_, seal) = cookie.split_once('=').unwrap();
    let data: serde_json::Value = unseal_data(seal, passwords).unwrap();
    data["_is"]["sid"].as_str().unwrap().to_owned()
}

/// The whole walk through one example, served at `base` with `passwords`.
async fn log_in_and_out(base: &str, passwords: &Passwords) {
    let visitor = Browser::new(base);
    let (status, body) = visitor.account().await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("log in"), "{body}");

    // Each login gives the session a new id.
    let alice = Browser::new(base);
    let first = alice.log_in("alice").await;
    assert_eq!(
        alice.account().await,
        (StatusCode::OK, "<p>The account of alice.</p>".into())
    );
    let second = alice.log_in("alice").await;
    assert_ne!(
        session_id(&first, passwords),
        session_id(&second, passwords)
    );
    assert!(
        alice
            .get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("Logged in as alice")
    );

    // "Log out" deletes the cookie and revokes the session: a copy of the cookie is refused.
    let response = alice.post("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let deletion = Cookie::parse(response.headers()[SET_COOKIE].to_str().unwrap()).unwrap();
    assert_eq!(deletion.max_age(), Some(cookie::time::Duration::ZERO));
    assert_eq!(alice.account().await.0, StatusCode::UNAUTHORIZED);
    let copy = reqwest::Client::new()
        .get(format!("{base}/account"))
        .header(COOKIE, &second)
        .send()
        .await
        .unwrap();
    assert_eq!(copy.status(), StatusCode::UNAUTHORIZED);

    // "Log out everywhere" from one browser logs the user's other browser out too, and leaves
    // other users alone.
    let (bob_at_home, bob_at_work, carol) =
        (Browser::new(base), Browser::new(base), Browser::new(base));
    bob_at_home.log_in("bob").await;
    bob_at_work.log_in("bob").await;
    carol.log_in("carol").await;
    assert_eq!(bob_at_work.account().await.0, StatusCode::OK);
    let response = bob_at_home.post("/logout-everywhere", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(bob_at_home.account().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(bob_at_work.account().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(carol.account().await.0, StatusCode::OK);
    // A new login afterwards works.
    bob_at_work.log_in("bob").await;
    assert_eq!(bob_at_work.account().await.0, StatusCode::OK);
}

/// The axum example's `/theme` changes the session without `save()`: with `auto_save` the change
/// is saved when the handler is done (without it, nothing would be written and the page would
/// still say `light`).
#[cfg(feature = "axum")]
async fn a_change_not_saved_is_saved_on_the_way_out(base: &str, passwords: &Passwords) {
    let dana = Browser::new(base);
    dana.log_in("dana").await;
    let page = dana.get("/").await.text().await.unwrap();
    assert!(page.contains("Theme: light."), "{page}");
    let response = dana.post("/theme", &[("theme", "dark")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let line = response.headers()[SET_COOKIE].to_str().unwrap();
    let cookie = Cookie::parse(line).unwrap();
    let data: serde_json::Value = unseal_data(cookie.value(), passwords).unwrap();
    assert_eq!(
        (&data["theme"], &data["user"]["name"]),
        (&"dark".into(), &"dana".into())
    );
    let page = dana.get("/").await.text().await.unwrap();
    assert!(page.contains("Theme: dark."), "{page}");
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn axum_login_example() {
    let passwords = Passwords::parse(&Passwords::generate().unwrap()).unwrap();
    let config = axum_login::session_config(passwords.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, axum_login::app(config)).await });
    log_in_and_out(&base, &passwords).await;
    a_change_not_saved_is_saved_on_the_way_out(&base, &passwords).await;
    server.abort();
}

#[cfg(feature = "actix-web")]
#[tokio::test]
async fn actix_login_example() {
    let passwords = Passwords::parse(&Passwords::generate().unwrap()).unwrap();
    let config = actix_login::session_config(passwords.clone()).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (handle_sender, handle_receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_login::server(config, listener).unwrap();
            handle_sender.send(server.handle()).unwrap();
            server.await
        })
    });
    let handle = handle_receiver.recv().unwrap();
    log_in_and_out(&base, &passwords).await;
    handle.stop(false).await;
}
