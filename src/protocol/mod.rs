//! The protocol the providers speak in, as plain data: requests and
//! responses ([`http`]), how to build them ([`request`]), page references and
//! paging metadata ([`page`]), list queries ([`query`]), the request classes
//! rate limits count ([`endpoint`]), what a provider declares about its API
//! ([`spec`]) and one provider's settings ([`config`]).
//!
//! Layering: the vocabulary (`session`, `status`, `error`, `time`, `json`)
//! below; the providers (`src/providers/`) and the services built on them
//! (`src/client/`, webhooks, summary, CSV) above. Nothing here imports either.

pub mod config;
pub mod endpoint;
pub mod http;
pub mod page;
pub mod query;
pub mod request;
pub mod spec;
