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
        "/api/v1/schedules",
        "/api/v1/schedules/{id}",
        "/api/v1/schedules/{id}/run",
        "/api/v1/schedules/{id}/retention",
        "/api/v1/backups",
        "/api/v1/backups/{id}",
        "/api/v1/backups/{id}/verify",
        "/api/v1/backups/{id}/copy",
        "/api/v1/restores",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/cancel",
        "/api/v1/runs/{id}/log",
        "/api/v1/whoami",
        "/api/v1/reload",
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

#[test]
fn the_spec_names_every_resource_schema_and_the_idempotency_header() {
    for schema in [
        "Schedule",
        "NewSchedule",
        "ScheduleChange",
        "RetentionPolicy",
        "Backup",
        "Run",
        "RetentionPlan",
        "RestoreReport",
        "TableName",
    ] {
        assert!(
            SPEC.contains(&format!("\n    {schema}:\n")),
            "schema {schema} is not in openapi.yaml"
        );
    }
    assert!(SPEC.contains("name: Idempotency-Key"));
    for status in tablevault::catalog::RunStatus::ALL {
        assert!(
            SPEC.contains(status.as_str()),
            "run status {status} is not documented"
        );
    }
}
