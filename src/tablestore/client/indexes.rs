//! Index operations: secondary indexes (CreateIndex) and search indexes (ListSearchIndex,
//! DescribeSearchIndex, CreateSearchIndex, DeleteSearchIndex), and the names of a instance's index tables.
//!
//! A search index travels as its whole protobuf `IndexSchema` (see
//! [`SearchIndexDefinition`]): what DescribeSearchIndex returns is what CreateSearchIndex
//! is given back, field for field.

use std::collections::BTreeSet;

use super::error::Result;
use super::Client;
use crate::tablestore::proto;
use crate::tablestore::table::{IndexDefinition, SearchIndexDefinition};

impl Client {
    /// The names of the search indexes of `table`.
    pub async fn list_search_indexes(&self, table: &str) -> Result<Vec<String>> {
        let request = proto::ListSearchIndexRequest {
            table_name: Some(table.to_string()),
        };
        let response: proto::ListSearchIndexResponse =
            self.call("ListSearchIndex", &request, true).await?;
        Ok(response
            .indices
            .into_iter()
            .filter(|i| i.table_name.as_deref().is_none_or(|t| t == table))
            .filter_map(|i| i.index_name)
            .collect())
    }

    pub async fn describe_search_index(
        &self,
        table: &str,
        index: &str,
    ) -> Result<SearchIndexDefinition> {
        let request = proto::DescribeSearchIndexRequest {
            table_name: Some(table.to_string()),
            index_name: Some(index.to_string()),
            include_sync_stat: Some(false),
        };
        let response: proto::DescribeSearchIndexResponse =
            self.call("DescribeSearchIndex", &request, true).await?;
        Ok(SearchIndexDefinition {
            name: index.to_string(),
            schema: response.schema.unwrap_or_default(),
            time_to_live: response.time_to_live,
        })
    }

    /// Every search index of `table`, fully described, in name order.
    pub async fn search_indexes(&self, table: &str) -> Result<Vec<SearchIndexDefinition>> {
        let mut names = self.list_search_indexes(table).await?;
        names.sort();
        let mut described = Vec::with_capacity(names.len());
        for name in names {
            described.push(self.describe_search_index(table, &name).await?);
        }
        Ok(described)
    }

    pub async fn create_search_index(
        &self,
        table: &str,
        index: &SearchIndexDefinition,
    ) -> Result<()> {
        let request = proto::CreateSearchIndexRequest {
            table_name: table.to_string(),
            index_name: index.name.clone(),
            schema: Some(index.schema.clone()),
            time_to_live: index.time_to_live,
        };
        let _: proto::CreateSearchIndexResponse =
            self.call("CreateSearchIndex", &request, false).await?;
        Ok(())
    }

    pub async fn delete_search_index(&self, table: &str, index: &str) -> Result<()> {
        let request = proto::DeleteSearchIndexRequest {
            table_name: Some(table.to_string()),
            index_name: Some(index.to_string()),
        };
        let _: proto::DeleteSearchIndexResponse =
            self.call("DeleteSearchIndex", &request, false).await?;
        Ok(())
    }

    /// Adds a secondary index to an existing table; `include_base_data` indexes the rows the
    /// table already holds.
    pub async fn create_index(
        &self,
        table: &str,
        index: &IndexDefinition,
        include_base_data: bool,
    ) -> Result<()> {
        let request = proto::CreateIndexRequest {
            main_table_name: table.to_string(),
            index_meta: index.to_proto(),
            include_base_data: Some(include_base_data),
        };
        let _: proto::CreateIndexResponse = self.call("CreateIndex", &request, false).await?;
        Ok(())
    }

    /// The secondary index names of the tables listed: ListTable may list index tables (they
    /// share the instance's namespace), which are no tables to back up or restore into.
    pub async fn index_table_names(&self, tables: &[String]) -> Result<BTreeSet<String>> {
        let mut indexes = BTreeSet::new();
        for table in tables {
            match self.describe_table(table).await {
                Ok(description) => indexes.extend(description.indexes.into_iter().map(|i| i.name)),
                // An index table itself, or a table deleted meanwhile.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(indexes)
    }
}
