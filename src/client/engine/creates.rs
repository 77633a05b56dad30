//! Creates: an idempotency key reused by every attempt, a create never sent
//! again once it may have arrived, Mangopay's 409 read back under its key.

use super::*;

impl Engine {
    /// A fresh idempotency key (a random UUID v4).
    pub(super) fn new_idempotency_key(t: &dyn Transport) -> String {
        let mut bytes = [0u8; 16];
        for chunk in bytes.chunks_mut(4) {
            chunk.copy_from_slice(&t.random_u32().to_le_bytes());
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// Creates a session (Mangopay, Didit); Equals is `unsupported`. Never
    /// duplicated by a retry: with an idempotency key (Mangopay: the caller's
    /// `idempotencyKey`, else one generated for this call) every attempt
    /// carries the same key; without (Didit), a create that may have reached
    /// the provider is not sent again.
    ///
    /// # Errors
    /// `config` for bad input, `unsupported` for Equals, and the rest.
    pub async fn create_session(
        &self,
        t: &dyn Transport,
        provider: Provider,
        input: &Value,
        options: &CallOptions,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        if api.create_first_request(cfg, input, None)?.is_some() {
            let (input, (name, id)) = self.create_first(t, provider, input).await?;
            return self
                .create_one(t, provider, &input, options)
                .await
                .map_err(|e| Self::made_by_first(provider, e, name, &id));
        }
        self.create_one(t, provider, input, options).await
    }

    /// A create of one request (or the last of two).
    async fn create_one(
        &self,
        t: &dyn Transport,
        provider: Provider,
        input: &Value,
        options: &CallOptions,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        api.create_request(cfg, input, None)?;
        let (resend, idempotency) = match api.idempotency_header() {
            Some(header) => {
                let key = match input.get("idempotencyKey") {
                    None | Some(Value::Null) => Self::new_idempotency_key(t),
                    Some(Value::String(key)) if !key.is_empty() && api.idempotency_key_ok(key) => {
                        key.clone()
                    }
                    Some(_) => {
                        return Err(IdvError::config(
                            Some(provider),
                            format!(
                                "{provider}: createSession input `idempotencyKey` must be a \
                                 non-empty string the provider accepts (a UUID always is)"
                            ),
                        ))
                    }
                };
                (Resend::Always, Some((header, key)))
            }
            None => (Resend::OnlyIfNotReceived, None),
        };
        let user_key = api.query().user_keys.first().copied();
        let normalize = NormalizeOptions {
            include_raw: options.include_raw,
            // A create response may not name its user (Mangopay's): it is the one asked for.
            user_id: user_key
                .and_then(|k| input.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned),
            // A create response may have no creation time (Didit's): it is now.
            now: crate::time::from_unix_millis(t.now_ms()),
            strict: options.strict,
        };
        let mut conflicts = 0;
        loop {
            let created = self
                .call(
                    t,
                    provider,
                    Endpoint::Create,
                    "create session",
                    resend,
                    &|bearer| {
                        let mut request = api.create_request(cfg, input, bearer)?;
                        if let Some((header, key)) = &idempotency {
                            request
                                .headers
                                .retain(|(n, _)| !n.eq_ignore_ascii_case(header));
                            request.headers.push((header.to_string(), key.clone()));
                        }
                        Ok(request)
                    },
                    &|response| api::decode_session(provider, response, &normalize),
                )
                .await;
            let (Err(error), Some((_, key))) = (&created, &idempotency) else {
                return created;
            };
            if error.http_status != Some(409) {
                // Unless the provider refused this very request (a 4xx other
                // than 408 and 429: it made nothing), an attempt, this one or
                // an earlier one that went unanswered, may have made the
                // session under a key the caller may not know.
                let refused = matches!(error.http_status,
                    Some(status) if (400..500).contains(&status) && status != 408 && status != 429);
                if refused {
                    return created;
                }
                return Err(self.redact(Self::maybe_created_under(provider, key, error.clone())));
            }
            // The key was used before: by an earlier attempt of this call that
            // reached the provider, or by the caller's earlier call.
            if api.replay_request(cfg, key, None).is_some() {
                return self
                    .read_back_create(t, provider, key, &normalize, error.clone())
                    .await;
            }
            // The first request under the key is still running: ask again,
            // under the same key, after a back-off.
            if conflicts >= self.config.retry.max_retries {
                return Err(self.redact(Self::maybe_created_under(provider, key, error.clone())));
            }
            self.back_off(t, provider, &mut conflicts, None).await?;
        }
    }

    /// The first request of a two-request create, sent at most once unless
    /// it provably did not arrive; the create's completed input and what the
    /// first request made.
    async fn create_first(
        &self,
        t: &dyn Transport,
        provider: Provider,
        input: &Value,
    ) -> Result<(Value, (&'static str, String)), IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        let answer: Value = self
            .call(
                t,
                provider,
                Endpoint::Create,
                "create session (its first request)",
                Resend::OnlyIfNotReceived,
                &|bearer| {
                    api.create_first_request(cfg, input, bearer)?
                        .ok_or_else(|| IdvError::config(Some(provider), "no first request"))
                },
                &|response| {
                    crate::json::parse_value(&response.body).map_err(|_| {
                        IdvError::decode(provider, format!("{provider}: the answer is not JSON"))
                    })
                },
            )
            .await?;
        api.create_after_first(input, &answer)
    }

    /// The error of a create that failed after its first request made
    /// something: what it made, and how to reuse it.
    fn made_by_first(provider: Provider, error: IdvError, name: &str, id: &str) -> IdvError {
        IdvError {
            message: format!(
                "{}. The first request of this create made `{id}` at {provider}: call \
                 createSession with `{name}: \"{id}\"` to go on from it (the same input again \
                 would make another)",
                error.message
            ),
            ..error
        }
    }

    /// A create answered 409 under `key` by a provider that stores the first
    /// answer (Mangopay): that answer, read back; while it is not stored yet
    /// (the first request still running), read again after back-offs.
    pub(super) async fn read_back_create(
        &self,
        t: &dyn Transport,
        provider: Provider,
        key: &str,
        normalize: &NormalizeOptions,
        conflict: IdvError,
    ) -> Result<Session, IdvError> {
        let cfg = self.config.provider(provider)?;
        let api = provider.api();
        let mut attempt = 0;
        loop {
            let stored = self
                .call(
                    t,
                    provider,
                    Endpoint::Get,
                    "read the first answer of the create",
                    Resend::Always,
                    &|bearer| {
                        api.replay_request(cfg, key, bearer).ok_or_else(|| {
                            IdvError::config(Some(provider), "no stored answers to read")
                        })
                    },
                    &|response| {
                        let body: Value = crate::json::parse_value(&response.body)
                            .map_err(|_| IdvError::decode(provider, "not JSON"))?;
                        api.decode_replay(&body).ok_or_else(|| {
                            IdvError::decode(provider, format!("{provider}: no stored answer"))
                        })
                    },
                )
                .await;
            match stored {
                Ok((status, body)) => {
                    let answer = HttpResponse {
                        status,
                        headers: Vec::new(),
                        body,
                    };
                    if (200..300).contains(&status) {
                        return api::decode_session(provider, &answer, normalize);
                    }
                    let first =
                        api::error_from_response(provider, "create session", &answer, t.now_ms());
                    return Err(self.redact(IdvError {
                        retryable: false,
                        message: format!(
                            "{} (the first request under idempotency key `{key}`, whose answer \
                             this is; {provider} refuses that key from now on: create again with \
                             a new key)",
                            first.message
                        ),
                        ..first
                    }));
                }
                // Not stored yet: the first request is still running.
                Err(e)
                    if e.code == ErrorCode::NotFound && attempt < self.config.retry.max_retries =>
                {
                    self.back_off(t, provider, &mut attempt, None).await?;
                }
                Err(e) if e.code == ErrorCode::NotFound || e.code == ErrorCode::Decode => {
                    return Err(self.redact(Self::maybe_created_under(provider, key, conflict)));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The error of a create whose key was used by a request that may have
    /// reached the provider and whose answer is not known: the session may
    /// exist; the same key (never a new one) finds out.
    pub(super) fn maybe_created_under(
        provider: Provider,
        key: &str,
        conflict: IdvError,
    ) -> IdvError {
        IdvError {
            retryable: true,
            message: format!(
                "{}. A request under idempotency key `{key}` may have reached {provider}, and \
                 its answer is not known: a session may have been created. Call createSession \
                 again with idempotencyKey \"{key}\" to get it or make it (never without it, \
                 which could create another)",
                conflict.message
            ),
            ..conflict
        }
    }
}
