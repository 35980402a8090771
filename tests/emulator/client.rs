//! A tiny signed Tablestore client for the emulator tests: real HTTP (reqwest), our protobuf
//! messages, PlainBuffer and v2 signatures. It checks every response's signature and headers.

use prost::Message;
use reqwest::header::HeaderMap;

use tablevault::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tablevault::tablestore::auth;
use tablevault::tablestore::plainbuffer;
use tablevault::tablestore::proto;
use tablevault::tablestore::row::{Cell, PkValue, PrimaryKey, Row, Value};

pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A service error as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

pub struct TestClient {
    http: reqwest::Client,
    pub endpoint: String,
    pub instance: String,
    pub access_key_id: String,
    pub secret: String,
}

/// Starts an emulator with `config` and a client for it.
pub async fn start(config: EmulatorConfig) -> (EmulatorHandle, TestClient) {
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let client = TestClient::for_emulator(&emulator);
    (emulator, client)
}

pub async fn start_default() -> (EmulatorHandle, TestClient) {
    start(EmulatorConfig::default()).await
}

impl TestClient {
    pub fn new(endpoint: &str, instance: &str, access_key_id: &str, secret: &str) -> Self {
        TestClient {
            http: reqwest::Client::new(),
            endpoint: endpoint.to_string(),
            instance: instance.to_string(),
            access_key_id: access_key_id.to_string(),
            secret: secret.to_string(),
        }
    }

    pub fn for_emulator(emulator: &EmulatorHandle) -> Self {
        let config = emulator.config();
        Self::new(
            &emulator.endpoint(),
            &config.instance,
            &config.access_key_id,
            &config.access_key_secret,
        )
    }

    /// The headers the SDKs send, signed with this client's secret, dated `date`.
    pub fn signed_headers_at(
        &self,
        action: &str,
        body: &[u8],
        date: &str,
    ) -> Vec<(String, String)> {
        let mut headers = vec![
            (
                auth::HEADER_ACCESS_KEY_ID.to_string(),
                self.access_key_id.clone(),
            ),
            (
                auth::HEADER_API_VERSION.to_string(),
                auth::API_VERSION.to_string(),
            ),
            (
                auth::HEADER_CONTENT_MD5.to_string(),
                auth::content_md5(body),
            ),
            (auth::HEADER_DATE.to_string(), date.to_string()),
            (auth::HEADER_INSTANCE.to_string(), self.instance.clone()),
        ];
        self.sign(action, &mut headers);
        headers
    }

    pub fn signed_headers(&self, action: &str, body: &[u8]) -> Vec<(String, String)> {
        self.signed_headers_at(action, body, &auth::format_date(chrono::Utc::now()))
    }

    /// (Re)computes `x-ots-signature` over the other `x-ots-*` headers.
    pub fn sign(&self, action: &str, headers: &mut Vec<(String, String)>) {
        headers.retain(|(n, _)| n != auth::HEADER_SIGNATURE);
        let signature = auth::request_signature(
            self.secret.as_bytes(),
            action,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        headers.push((auth::HEADER_SIGNATURE.to_string(), signature));
    }

    /// Sends exactly these headers and body with `method` to `/action`.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        action: &str,
        body: Vec<u8>,
        headers: &[(String, String)],
    ) -> Result<RawResponse, reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}/{action}", self.endpoint))
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// A correctly signed POST; panics on transport errors; checks the response signature.
    pub async fn post(&self, action: &str, body: Vec<u8>) -> RawResponse {
        let headers = self.signed_headers(action, &body);
        let response = self
            .send_raw(reqwest::Method::POST, action, body, &headers)
            .await
            .expect("transport works");
        self.assert_signed(action, &response);
        response
    }

    /// Asserts what the Python SDK checks: the four headers, the body MD5 and the signature.
    pub fn assert_signed(&self, action: &str, response: &RawResponse) {
        let ots: Vec<(&str, &str)> = response
            .headers
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("x-ots-"))
            .map(|(n, v)| (n.as_str(), v.to_str().expect("text header")))
            .collect();
        for required in [
            "x-ots-contentmd5",
            "x-ots-requestid",
            "x-ots-date",
            "x-ots-contenttype",
        ] {
            assert!(
                ots.iter().any(|(n, _)| *n == required),
                "response lacks {required}"
            );
        }
        let md5 = response.headers["x-ots-contentmd5"].to_str().unwrap();
        assert_eq!(md5, auth::content_md5(&response.body), "response body MD5");
        let date = response.headers["x-ots-date"].to_str().unwrap();
        let parsed = auth::parse_date(date).expect("x-ots-date parses");
        assert!((chrono::Utc::now() - parsed).num_seconds().abs() < 60);
        // Like the Python SDK: an OTSAuthFailed answer may be signed with other credentials.
        let auth_failed = response.status == 403
            && proto::Error::decode(response.body.as_slice())
                .is_ok_and(|e| e.code == "OTSAuthFailed");
        if auth_failed {
            return;
        }
        let expected =
            auth::response_authorization(&self.access_key_id, self.secret.as_bytes(), action, ots);
        let actual = response.headers["authorization"].to_str().unwrap();
        assert_eq!(actual, expected, "response signature");
    }

    /// Calls `action` and decodes the response or the protobuf Error.
    pub async fn call<Resp: Message + Default>(
        &self,
        action: &str,
        request: &impl Message,
    ) -> Result<Resp, ServiceError> {
        let response = self.post(action, request.encode_to_vec()).await;
        decode_response(response)
    }

    pub async fn create_table(
        &self,
        meta: proto::TableMeta,
        options: Option<proto::TableOptions>,
    ) -> Result<(), ServiceError> {
        let request = proto::CreateTableRequest {
            table_meta: meta,
            reserved_throughput: proto::ReservedThroughput {
                capacity_unit: proto::CapacityUnit {
                    read: Some(0),
                    write: Some(0),
                },
            },
            table_options: options,
            partitions: vec![],
            stream_spec: None,
            sse_spec: None,
            index_metas: vec![],
        };
        self.call::<proto::CreateTableResponse>("CreateTable", &request)
            .await
            .map(|_| ())
    }

    pub async fn write(
        &self,
        action: &str,
        table: &str,
        row: &Row,
        expect: proto::RowExistenceExpectation,
    ) -> Result<proto::PutRowResponse, ServiceError> {
        // PutRow, UpdateRow and DeleteRow requests (and responses) have one wire shape: table,
        // one PlainBuffer row (field 2: `row`, `row_change`, `primary_key`), condition.
        let request = proto::PutRowRequest {
            table_name: table.to_string(),
            row: plainbuffer::encode_row(row),
            condition: condition(expect),
            return_content: None,
            transaction_id: None,
        };
        self.call(action, &request).await
    }

    pub async fn put(&self, table: &str, row: &Row) -> Result<proto::PutRowResponse, ServiceError> {
        self.write("PutRow", table, row, proto::RowExistenceExpectation::Ignore)
            .await
    }

    pub async fn get(
        &self,
        table: &str,
        pk: &PrimaryKey,
        max_versions: i32,
    ) -> Result<Option<Row>, ServiceError> {
        let request = get_row_request(table, pk, max_versions);
        let response: proto::GetRowResponse = self.call("GetRow", &request).await?;
        Ok((!response.row.is_empty())
            .then(|| plainbuffer::decode_row(&response.row).expect("row decodes")))
    }
}

pub fn decode_response<Resp: Message + Default>(
    response: RawResponse,
) -> Result<Resp, ServiceError> {
    if response.status == 200 {
        Ok(Resp::decode(response.body.as_slice()).expect("response decodes"))
    } else {
        let error =
            proto::Error::decode(response.body.as_slice()).expect("error body is a protobuf Error");
        Err(ServiceError {
            status: response.status,
            code: error.code,
            message: error.message.unwrap_or_default(),
        })
    }
}

pub fn condition(expect: proto::RowExistenceExpectation) -> proto::Condition {
    proto::Condition {
        row_existence: expect as i32,
        column_condition: None,
    }
}

pub fn get_row_request(table: &str, pk: &PrimaryKey, max_versions: i32) -> proto::GetRowRequest {
    proto::GetRowRequest {
        table_name: table.to_string(),
        primary_key: plainbuffer::encode_row(&Row::new(pk.clone(), vec![])),
        columns_to_get: vec![],
        time_range: None,
        max_versions: Some(max_versions),
        filter: None,
        start_column: None,
        end_column: None,
        token: None,
        transaction_id: None,
    }
}

pub fn pk_schema(name: &str, pk_type: proto::PrimaryKeyType) -> proto::PrimaryKeySchema {
    proto::PrimaryKeySchema {
        name: name.to_string(),
        r#type: pk_type as i32,
        option: None,
    }
}

pub fn meta(name: &str, pk: Vec<proto::PrimaryKeySchema>) -> proto::TableMeta {
    proto::TableMeta {
        table_name: name.to_string(),
        primary_key: pk,
        defined_column: vec![],
    }
}

pub fn options(ttl: i32, max_versions: i32, deviation: i64) -> proto::TableOptions {
    proto::TableOptions {
        time_to_live: Some(ttl),
        max_versions: Some(max_versions),
        deviation_cell_version_in_sec: Some(deviation),
        allow_update: None,
        update_full_row: None,
    }
}

/// A one-integer-column key `k`.
pub fn int_key(k: i64) -> PrimaryKey {
    PrimaryKey::new([("k", PkValue::Integer(k))])
}

/// Creates table `name` keyed by one integer column `k`.
pub async fn int_table(client: &TestClient, name: &str) {
    client
        .create_table(
            meta(name, vec![pk_schema("k", proto::PrimaryKeyType::Integer)]),
            None,
        )
        .await
        .expect("table created");
}

pub fn row(pk: PrimaryKey, cells: Vec<(&str, Value)>) -> Row {
    Row::new(
        pk,
        cells.into_iter().map(|(n, v)| Cell::put(n, v)).collect(),
    )
}

/// The cells of a row as (name, value) pairs, timestamps dropped.
pub fn values(row: &Row) -> Vec<(String, Value)> {
    row.cells
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.value.clone().expect("read cells carry values"),
            )
        })
        .collect()
}
