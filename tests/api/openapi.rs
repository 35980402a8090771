//! `openapi.yaml` stays in step with the code: every route and every problem code is in it.

const SPEC: &str = include_str!("../../openapi.yaml");

#[test]
fn the_spec_lists_every_route() {
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/stores",
        "/api/v1/stores/{name}/check",
    ] {
        assert!(
            SPEC.contains(&format!("\n  {path}:\n")),
            "{path} is not in openapi.yaml"
        );
    }
}

#[test]
fn the_spec_lists_every_problem_code() {
    for code in tablevault::api::error::CODES {
        assert!(
            SPEC.contains(&format!("            - {code}\n")),
            "{code} is not in openapi.yaml"
        );
    }
}
