//! `GET /api/v1/whoami`: what the presented token may do, so a client (the status page) can
//! offer only the actions its role allows instead of learning it from 403s.

use axum::Extension;
use axum::Json;
use serde_json::{json, Value};

use crate::api::middleware::auth::Principal;

/// `auth` is `disabled` (every request is served as an admin) or `token`; `role` is `admin` or
/// `read`. Never echoes the token or its name.
pub async fn whoami(principal: Option<Extension<Principal>>) -> Json<Value> {
    Json(match principal {
        Some(Extension(principal)) => json!({"auth": "token", "role": principal.role.as_str()}),
        None => json!({"auth": "disabled", "role": "admin"}),
    })
}
