//! A provider that exists only in tests (`--features testkit`, which the
//! crate's own tests turn on): it speaks the way the next providers do and
//! the first three do not, so the registry is proven general before they
//! arrive. Its API is modelled on Stripe Identity's and Sumsub's:
//!
//! - lists page by cursor: `GET /v1/sessions?limit=&starting_after=`,
//!   answering `{ data: [...], has_more }` (the next page starts after the
//!   last row's `id`);
//! - every request is signed just before it is sent: `X-Timestamp` (Unix
//!   seconds) and `X-Signature`, the hex HMAC-SHA256 with the API key of
//!   `timestamp + METHOD + path?query + body`; no credential is sent;
//! - creates are form-encoded with bracket nesting (`metadata[user]=u1`);
//!   a create with `customer` is two requests: the customer, then the
//!   session for it (`customer_id`);
//! - a session read with `details` is completed by more requests, in two
//!   rounds: its checks, then each check;
//! - regional APIs (`region`: `eu`, the default, or `us`);
//! - a status is qualified by a second field (`requires_input` with
//!   `last_error.code`), and `canceled` exists.
//!
//! Nothing outside this folder names it but the `Provider` enum's hidden
//! variant and the registry line, both behind the feature.

use crate::error::{ErrorCode, IdvError};
use crate::json::Json;
use crate::protocol::config::ProviderConfig;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::http::{HttpRequest, HttpResponse, Method};
use crate::protocol::page::{PageMeta, PageRef};
use crate::protocol::query::ListQuery;
use crate::protocol::request::{form_body, input_object, request, segment, with_query};
use crate::protocol::spec::{Auth, Connection, Dates, Paging, QuerySpec, RateLimit, Region};
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::registry::ProviderApi;
use crate::providers::table::{lookup_kind, lookup_status, KindRow, StatusRow};
use crate::session::SessionStatus::*;
use crate::session::{Check, CheckKind, CheckStatus, Provider, Reason, Session};
use crate::time;
use crate::webhook::{hmac_hex, SignRequest, SignedWebhook, WebhookEvent, WebhookRequest};
use serde_json::Value;

/// Its statuses; `requires_input` is qualified by `last_error.code`: none,
/// `abandoned`, `selfie_mismatch`, or any other (`*`).
pub const STATUSES: &[StatusRow] = &[
    StatusRow::new("created", NotStarted),
    StatusRow::new("requires_input", InProgress),
    StatusRow::with_result("requires_input", Some("abandoned"), Abandoned),
    StatusRow::with_result("requires_input", Some("selfie_mismatch"), Declined),
    StatusRow::with_result("requires_input", Some("*"), ResubmissionRequested),
    StatusRow::new("processing", InReview),
    StatusRow::new("verified", Approved),
    StatusRow::new("canceled", Canceled),
];

/// Its check types.
pub const CHECK_KINDS: &[KindRow] = &[
    KindRow::new("document", CheckKind::Document),
    KindRow::new("selfie", CheckKind::FaceMatch),
];

const CONNECTION: Connection = Connection {
    base_url: "https://api.testkit.invalid",
    regions: &[
        Region {
            name: "eu",
            base_url: "https://api.testkit.invalid",
        },
        Region {
            name: "us",
            base_url: "https://api.us.testkit.invalid",
        },
    ],
    hosts: &[
        "https://api.testkit.invalid",
        "https://api.us.testkit.invalid",
    ],
    auth: Auth::Signed,
    settings: &[],
};

const QUERY: QuerySpec = QuerySpec {
    filters: &["clientReferenceId"],
    required: None,
    paging: Paging::Cursor { max: 100 },
    status_param: None,
    status_values: None,
    user_keys: &["clientReferenceId"],
    dates: Dates::AsGiven,
};

const FIELDS: &[&str] = &[
    "id",
    "status",
    "created",
    "last_error",
    "url",
    "client_reference_id",
];

/// The registry entry.
pub struct Testkit;

fn unsupported(what: &str) -> IdvError {
    IdvError::new(
        ErrorCode::Unsupported,
        Some(Provider::Testkit),
        format!("testkit: {what}"),
    )
}

/// A form-encoded `POST` of `fields` to `path`.
fn form_request(
    cfg: &ProviderConfig,
    path: &str,
    fields: &serde_json::Map<String, Value>,
    bearer: Option<&str>,
) -> HttpRequest {
    let mut req = request(Method::Post, format!("{}{path}", cfg.base_url), cfg, bearer);
    req.headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    req.body = Some(form_body(fields));
    req
}

impl ProviderApi for Testkit {
    fn provider(&self) -> Provider {
        Provider::Testkit
    }
    fn statuses(&self) -> &'static [StatusRow] {
        STATUSES
    }
    fn check_kinds(&self) -> &'static [KindRow] {
        CHECK_KINDS
    }
    fn rows_field(&self) -> Option<&'static str> {
        Some("data")
    }
    fn id_field(&self) -> &'static str {
        "id"
    }
    fn reads(&self) -> fn(&str) -> bool {
        |field| FIELDS.contains(&field)
    }
    fn normalize(
        &self,
        obj: &Obj<'_, '_>,
        _options: &NormalizeOptions,
    ) -> Result<Session, IdvError> {
        let id = obj.required_str("id")?;
        let provider_status = obj.status_text("status");
        let qualifier = obj
            .get("last_error")
            .and_then(|e| obj.child(e))
            .and_then(|e| e.string("code"));
        let status = lookup_status(STATUSES, provider_status, qualifier.as_deref());
        let created_at = match obj.get("created") {
            Some(Json::Int(secs)) => time::from_unix_int(*secs),
            _ => None,
        }
        .ok_or_else(|| obj.field_error("created", "must be Unix seconds"))?;
        Ok(Session {
            provider: Provider::Testkit,
            id: id.to_owned(),
            key: format!("testkit:{id}"),
            status,
            provider_status: provider_status.to_owned(),
            provider_result: qualifier,
            is_terminal: status.is_terminal(),
            user_ref: obj.string("client_reference_id"),
            verification_url: obj.string("url"),
            return_url: None,
            created_at,
            updated_at: None,
            checks: Vec::new(),
            person: None,
            extra: None,
            raw: None,
        })
    }
    fn connection(&self) -> &'static Connection {
        &CONNECTION
    }
    fn query(&self) -> &'static QuerySpec {
        &QUERY
    }
    fn list_request(
        &self,
        cfg: &ProviderConfig,
        query: &ListQuery,
        page: PageRef,
        bearer: Option<&str>,
    ) -> HttpRequest {
        let mut pairs = vec![("limit", page.size().to_string())];
        if let Some(after) = &query.after {
            pairs.push(("starting_after", after.clone()));
        }
        if let Some(user) = query.filter("clientReferenceId") {
            pairs.push(("client_reference_id", user.to_string()));
        }
        let url = with_query(format!("{}/v1/sessions", cfg.base_url), &pairs);
        request(Method::Get, url, cfg, bearer)
    }
    fn get_request(
        &self,
        cfg: &ProviderConfig,
        id: &str,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let url = format!("{}/v1/sessions/{}", cfg.base_url, segment(id));
        Ok(request(Method::Get, url, cfg, bearer))
    }
    fn create_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<HttpRequest, IdvError> {
        let input = input_object(Provider::Testkit, input)?;
        Ok(form_request(cfg, "/v1/sessions", input, bearer))
    }
    /// `customer` in the input: a customer is made first, and the session
    /// is created for it (`customer_id`).
    fn create_first_request(
        &self,
        cfg: &ProviderConfig,
        input: &Value,
        bearer: Option<&str>,
    ) -> Result<Option<HttpRequest>, IdvError> {
        let input = input_object(Provider::Testkit, input)?;
        let customer = match input.get("customer") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(customer)) => customer,
            Some(_) => {
                return Err(IdvError::config(
                    Some(Provider::Testkit),
                    "testkit: createSession input `customer` must be an object",
                ))
            }
        };
        if input.contains_key("customer_id") {
            return Err(IdvError::config(
                Some(Provider::Testkit),
                "testkit: createSession input takes `customer` or `customer_id`, not both",
            ));
        }
        Ok(Some(form_request(cfg, "/v1/customers", customer, bearer)))
    }
    fn create_after_first(
        &self,
        input: &Value,
        answer: &Value,
    ) -> Result<(Value, (&'static str, String)), IdvError> {
        let id = answer
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                IdvError::decode(Provider::Testkit, "testkit: the new customer has no `id`")
            })?;
        let mut input = input_object(Provider::Testkit, input)?.clone();
        input.remove("customer");
        input.insert("customer_id".into(), Value::from(id));
        Ok((Value::Object(input), ("customer_id", id.to_owned())))
    }
    fn sign(
        &self,
        cfg: &ProviderConfig,
        request: &mut HttpRequest,
        now_ms: f64,
    ) -> Result<(), IdvError> {
        let Some(key) = &cfg.api_key else {
            // A proxy at `baseUrl` signs.
            return Ok(());
        };
        let seconds = (now_ms / 1000.0).floor().to_string();
        let path = request
            .url
            .find("://")
            .and_then(|at| request.url[at + 3..].find('/').map(|p| at + 3 + p))
            .map_or("/", |at| &request.url[at..]);
        let message = format!(
            "{seconds}{}{path}{}",
            request.method.as_str(),
            request.body.as_deref().unwrap_or_default()
        );
        let signature = hmac_hex(key.expose(), message.as_bytes());
        request.headers.push(("x-timestamp".into(), seconds));
        request.headers.push(("x-signature".into(), signature));
        Ok(())
    }
    fn page_meta(
        &self,
        _response: &HttpResponse,
        body: &Json<'_>,
        _requested: PageRef,
    ) -> PageMeta {
        PageMeta {
            has_next: match body.get("has_more") {
                Some(Json::Bool(more)) => Some(*more),
                _ => None,
            },
            ..PageMeta::default()
        }
    }
    /// With `details`: the session's checks (`GET /v1/sessions/{id}/checks`,
    /// their ids), then each check (`GET /v1/checks/{id}`).
    fn detail_requests(
        &self,
        cfg: &ProviderConfig,
        session: &Session,
        answers: &[Value],
        bearer: Option<&str>,
    ) -> Result<Vec<HttpRequest>, IdvError> {
        let get =
            |path: String| request(Method::Get, format!("{}{path}", cfg.base_url), cfg, bearer);
        let Some(list) = answers.first() else {
            let path = format!("/v1/sessions/{}/checks", segment(&session.id));
            return Ok(vec![get(path)]);
        };
        if answers.len() > 1 {
            return Ok(Vec::new());
        }
        let ids = list
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| IdvError::decode(Provider::Testkit, "testkit: checks: no `data`"))?
            .iter()
            .map(|c| c.get("id").and_then(Value::as_str))
            .collect::<Option<Vec<&str>>>()
            .ok_or_else(|| IdvError::decode(Provider::Testkit, "testkit: a check has no `id`"))?;
        Ok(ids
            .into_iter()
            .map(|id| get(format!("/v1/checks/{}", segment(id))))
            .collect())
    }
    /// List rows have no checks: `details` reads each session.
    fn list_rows_lack_details(&self) -> bool {
        true
    }
    fn add_details(&self, session: &mut Session, answers: &[Value]) -> Result<(), IdvError> {
        session.checks = answers
            .iter()
            .skip(1)
            .map(|check| {
                let text = |name: &str| check.get(name).and_then(Value::as_str).unwrap_or_default();
                Check {
                    kind: lookup_kind(CHECK_KINDS, text("type")),
                    status: match text("result") {
                        "clear" => CheckStatus::Approved,
                        "consider" => CheckStatus::Declined,
                        "" => CheckStatus::NotFinished,
                        _ => CheckStatus::Unknown,
                    },
                    provider_type: text("type").to_owned(),
                    provider_status: text("result").to_owned(),
                    reasons: check
                        .get("reasons")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|r| {
                            Some(Reason {
                                code: r.get("code")?.as_str()?.to_owned(),
                                detail: r.get("detail").and_then(Value::as_str).map(str::to_owned),
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(())
    }
    /// Two requests per 10 s, so that a test sees a request wait for its slot.
    fn rate_limit(&self, _cfg: &ProviderConfig, _endpoint: Endpoint) -> Option<RateLimit> {
        Some(RateLimit {
            budget: "all",
            windows: &[(2, 10_000.0)],
        })
    }
    fn parse_webhook(&self, _request: &WebhookRequest) -> Result<WebhookEvent, IdvError> {
        Err(unsupported("no webhooks"))
    }
    fn sign_webhook(&self, _request: &SignRequest) -> Result<SignedWebhook, IdvError> {
        Err(unsupported("no webhooks"))
    }
}
