//! The tracing layer that fills the [`RunLogBook`](super::RunLogBook): an event belongs to a
//! run when it names `run_id` itself or is logged inside a span that does (the run's span,
//! `crate::runs` `RunInfo::span`).

use std::fmt::Debug;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::{run_logs, LogLine};

/// Add it to the subscriber ([`crate::telemetry::init_tracing`] does).
pub struct RunLogLayer;

/// The run id a span carries, kept in its extensions.
struct RunIdOf(String);

#[derive(Default)]
struct Fields {
    message: String,
    run_id: Option<String>,
    others: Map<String, Value>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: Value) {
        match field.name() {
            "message" => {
                self.message = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                }
            }
            "run_id" => {
                self.run_id = Some(match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                })
            }
            name => {
                self.others.insert(name.to_string(), value);
            }
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

impl<S> Layer<S> for RunLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(run_id), Some(span)) = (fields.run_id, ctx.span(id)) {
            span.extensions_mut().insert(RunIdOf(run_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let run_id = fields.run_id.take().or_else(|| {
            ctx.event_scope(event)?
                .find_map(|span| span.extensions().get::<RunIdOf>().map(|r| r.0.clone()))
        });
        let Some(run_id) = run_id else { return };
        run_logs().push(
            &run_id,
            LogLine {
                time: chrono::Utc::now(),
                level: event.metadata().level().as_str(),
                message: fields.message,
                fields: fields.others,
            },
        );
    }
}
