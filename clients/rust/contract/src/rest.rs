//! The `rest` scenario: create, fetch, rename, delete and fetch again one
//! user, following the `_links.self.href` the server hands back.
//!
//! Kept free of I/O so one flow serves a blocking and an async client alike:
//! the client asks [`Session::next_call`] what to send, sends it with its own
//! library, and hands the reply to [`Session::record`].

use serde_json::{Value, json};

use crate::{Nonce, Report, url};

/// The number of calls `rest` makes.
pub const CALLS: usize = 5;

/// What to send next: the method, the absolute URL and, for `POST` and
/// `PUT`, the JSON body.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Get(String),
    Post(String, Value),
    Put(String, Value),
    Delete(String),
}

/// What came back: the status, the `Location` and `X-Polybench-Nonce`
/// headers and the whole body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub nonce: Option<String>,
    pub body: Vec<u8>,
}

/// The five calls in order, each with the check of its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Create,
    Fetch,
    Rename,
    Delete,
    FetchDeleted,
}

const STEPS: [Step; CALLS] = [
    Step::Create,
    Step::Fetch,
    Step::Rename,
    Step::Delete,
    Step::FetchDeleted,
];

/// Where a `rest` run is: which call is next and the user's link.
#[derive(Debug, Clone)]
pub struct Session {
    base_url: String,
    name: String,
    renamed: String,
    email: String,
    next: usize,
    href: Option<String>,
}

impl Session {
    pub fn new(base_url: &str, run_id: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            name: format!("polybench-{run_id}"),
            renamed: format!("polybench-{run_id}-renamed"),
            email: format!("{run_id}@example.invalid"),
            next: 0,
            href: None,
        }
    }

    /// The next call to make, or `None` once all are made or the user's
    /// link is unknown because creating it failed.
    pub fn next_call(&self) -> Option<Call> {
        let step = *STEPS.get(self.next)?;
        if step == Step::Create {
            let user = json!({"name": self.name, "email": self.email});
            return Some(Call::Post(url(&self.base_url, "/users"), user));
        }
        let user_url = url(&self.base_url, self.href.as_deref()?);
        Some(match step {
            Step::Create | Step::Fetch | Step::FetchDeleted => Call::Get(user_url),
            Step::Rename => {
                let renamed = json!({"name": self.renamed, "email": self.email});
                Call::Put(user_url, renamed)
            }
            Step::Delete => Call::Delete(user_url),
        })
    }

    /// Checks the reply to the call [`Session::next_call`] gave (or the
    /// error that stopped it) and records it in `report`.
    pub fn record(&mut self, reply: Result<Reply, String>, report: &mut Report) {
        let Some(&step) = STEPS.get(self.next) else {
            return;
        };
        self.next += 1;
        let label = match step {
            Step::Create => "POST /users",
            Step::Fetch => "GET user",
            Step::Rename => "PUT user",
            Step::Delete => "DELETE user",
            Step::FetchDeleted => "GET deleted user",
        };
        let reply = match reply {
            Ok(reply) => reply,
            Err(e) => return report.fail(format!("{label}: {e}")),
        };
        let verdict = match step {
            Step::Create => self
                .check_created(&reply)
                .map(|href| self.href = Some(href)),
            Step::Fetch => self.check_user(&reply, 200, &self.name).map(drop),
            Step::Rename => self.check_user(&reply, 200, &self.renamed).map(drop),
            Step::Delete => check_deleted(&reply),
            Step::FetchDeleted => check_gone(&reply),
        };
        let verdict = verdict
            .and_then(|()| Nonce::parse(reply.nonce.as_deref()))
            .map_err(|e| {
                let skipped = if self.href.is_none() {
                    "; the other calls need its link and were not made"
                } else {
                    ""
                };
                format!("{label}: {e}{skipped}")
            });
        report.record(reply.body.len() as u64, verdict);
    }

    /// `201`, `Location: /users/<id>`, a body with `id`, `name`, `email`
    /// and `_links.self.href` equal to `Location`. Gives the href.
    fn check_created(&self, reply: &Reply) -> Result<String, String> {
        let user = self.check_user(reply, 201, &self.name)?;
        if user.get("id").is_none() {
            return Err("body has no id".into());
        }
        let location = reply.location.as_deref().ok_or("no Location header")?;
        let href = user["_links"]["self"]["href"]
            .as_str()
            .ok_or("body has no _links.self.href")?;
        if href != location {
            return Err(format!(
                "_links.self.href {href:?} is not Location {location:?}"
            ));
        }
        Ok(href.to_owned())
    }

    /// The status, then a JSON body with the given `name` and the run's email.
    fn check_user(&self, reply: &Reply, status: u16, name: &str) -> Result<Value, String> {
        let user = json_body(reply, status)?;
        if user["name"] != name || user["email"] != self.email.as_str() {
            return Err(format!(
                "name and email {} {}, expected {name:?} {:?}",
                user["name"], user["email"], self.email
            ));
        }
        Ok(user)
    }
}

/// `204` and an empty body.
fn check_deleted(reply: &Reply) -> Result<(), String> {
    match (reply.status, reply.body.len()) {
        (204, 0) => Ok(()),
        (204, len) => Err(format!("{len} body bytes, expected none")),
        (status, _) => Err(format!("status {status}, expected 204")),
    }
}

/// `404` and a JSON body with an `error` key.
fn check_gone(reply: &Reply) -> Result<(), String> {
    match json_body(reply, 404)?.get("error") {
        Some(_) => Ok(()),
        None => Err("body has no error key".into()),
    }
}

fn json_body(reply: &Reply, status: u16) -> Result<Value, String> {
    if reply.status != status {
        return Err(format!("status {}, expected {status}", reply.status));
    }
    serde_json::from_slice(&reply.body).map_err(|e| format!("body is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Args;

    fn report() -> Report {
        let args =
            Args::parse(["rest", "--url", "http://h", "--run-id", "r1"].map(String::from)).unwrap();
        Report::new("rust-test", &args, 0)
    }

    /// A reply whose nonce is its status, repeated.
    fn reply(status: u16, location: Option<&str>, body: Value) -> Result<Reply, String> {
        Ok(Reply {
            status,
            location: location.map(str::to_owned),
            nonce: Some(format!("{status:0>32}")),
            body: if body.is_null() {
                Vec::new()
            } else {
                body.to_string().into_bytes()
            },
        })
    }

    fn user(name: &str) -> Value {
        json!({"id": 7, "name": name, "email": "r1@example.invalid",
               "_links": {"self": {"href": "/users/7"}}})
    }

    fn ok_and_errors(report: &Report) -> (u64, Vec<String>) {
        let json = serde_json::to_value(report).unwrap();
        let errors = serde_json::from_value(json["errors"].clone()).unwrap();
        (json["ok"].as_u64().unwrap(), errors)
    }

    fn receipt(report: &Report) -> Value {
        serde_json::to_value(report).unwrap()["receipt"].clone()
    }

    #[test]
    fn a_well_behaved_server_passes_all_five_calls() {
        let mut report = report();
        let mut session = Session::new("http://h", "r1");
        let replies = [
            reply(201, Some("/users/7"), user("polybench-r1")),
            reply(200, None, user("polybench-r1")),
            reply(200, None, user("polybench-r1-renamed")),
            reply(204, None, Value::Null),
            reply(404, None, json!({"error": "not found"})),
        ];
        let mut calls = Vec::new();
        for reply in replies {
            calls.push(session.next_call().unwrap());
            session.record(reply, &mut report);
        }
        assert_eq!(session.next_call(), None);
        assert_eq!(ok_and_errors(&report), (5, vec![]));
        // 201 ^ 200 ^ 200 ^ 204 ^ 404: all five count, the 204 and 404 too.
        let xor = 0x201 ^ 0x200 ^ 0x200 ^ 0x204 ^ 0x404;
        assert_eq!(receipt(&report), format!("{xor:032x}"));

        let href = "http://h/users/7".to_owned();
        let created = json!({"name": "polybench-r1", "email": "r1@example.invalid"});
        let renamed = json!({"name": "polybench-r1-renamed", "email": "r1@example.invalid"});
        assert_eq!(
            calls,
            vec![
                Call::Post("http://h/users".to_owned(), created),
                Call::Get(href.clone()),
                Call::Put(href.clone(), renamed),
                Call::Delete(href.clone()),
                Call::Get(href),
            ]
        );
    }

    #[test]
    fn a_failed_create_stops_the_run() {
        let mut report = report();
        let mut session = Session::new("http://h", "r1");
        session.record(
            reply(201, Some("/users/8"), user("polybench-r1")),
            &mut report,
        );
        assert_eq!(session.next_call(), None);
        let (ok, errors) = ok_and_errors(&report);
        assert_eq!(ok, 0);
        assert!(errors[0].contains("is not Location"), "{errors:?}");
        assert!(errors[0].contains("were not made"), "{errors:?}");
    }

    #[test]
    fn later_failures_are_recorded_and_the_run_goes_on() {
        let mut report = report();
        let mut session = Session::new("http://h", "r1");
        session.record(
            reply(201, Some("/users/7"), user("polybench-r1")),
            &mut report,
        );
        session.record(Err("connection reset".into()), &mut report);
        session.record(reply(200, None, user("polybench-r1")), &mut report);
        session.record(reply(200, None, json!({})), &mut report);
        session.record(reply(404, None, json!({"detail": "gone"})), &mut report);
        let (ok, errors) = ok_and_errors(&report);
        assert_eq!(ok, 1);
        assert_eq!(errors.len(), 4);
        assert_eq!(errors[0], "GET user: connection reset");
        assert!(errors[1].starts_with("PUT user: name and email"));
        assert_eq!(errors[2], "DELETE user: status 200, expected 204");
        assert_eq!(errors[3], "GET deleted user: body has no error key");
    }

    #[test]
    fn a_reply_without_a_nonce_is_not_verified() {
        let mut report = report();
        let mut session = Session::new("http://h", "r1");
        session.record(
            reply(201, Some("/users/7"), user("polybench-r1")),
            &mut report,
        );
        let mut unproved = reply(200, None, user("polybench-r1")).unwrap();
        unproved.nonce = None;
        session.record(Ok(unproved), &mut report);
        assert!(session.next_call().is_some());
        let (ok, errors) = ok_and_errors(&report);
        assert_eq!(ok, 1);
        assert_eq!(errors, vec!["GET user: no X-Polybench-Nonce header"]);
        assert_eq!(receipt(&report), format!("{:032x}", 0x201));
    }
}
