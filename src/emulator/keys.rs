//! Sortable primary keys: the order rows are stored and scanned in.
//!
//! Each column compares on its own (`INF_MIN` < any value < `INF_MAX`; integers numerically,
//! strings and binaries bytewise) and keys compare column by column, which is exactly the
//! derived order of `Vec<KeyPart>` with the variants declared in this order. Strings and
//! binaries share one variant: within a column the schema fixes the type, so they never meet,
//! and the stored key keeps no copy of the column names (they come back from the schema).

use crate::tablestore::row::{PkColumn, PkValue, PrimaryKey};
use crate::tablestore::table::{PkSchema, PkType};

/// One column of a sortable key. Variant order is the sort order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyPart {
    InfMin,
    Integer(i64),
    Bytes(Vec<u8>),
    InfMax,
}

/// A primary key in storage order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortKey(pub Vec<KeyPart>);

impl KeyPart {
    /// The sortable form of a key value; `None` for the auto-increment placeholder, which
    /// must be replaced by a real value first.
    pub fn from_value(value: &PkValue) -> Option<KeyPart> {
        Some(match value {
            PkValue::InfMin => KeyPart::InfMin,
            PkValue::InfMax => KeyPart::InfMax,
            PkValue::Integer(i) => KeyPart::Integer(*i),
            PkValue::String(s) => KeyPart::Bytes(s.as_bytes().to_vec()),
            PkValue::Binary(b) => KeyPart::Bytes(b.clone()),
            PkValue::AutoIncrement => return None,
        })
    }

    /// Back to a typed value, using the schema to tell strings from binaries.
    pub fn to_value(&self, pk_type: PkType) -> PkValue {
        match self {
            KeyPart::InfMin => PkValue::InfMin,
            KeyPart::InfMax => PkValue::InfMax,
            KeyPart::Integer(i) => PkValue::Integer(*i),
            KeyPart::Bytes(b) => match pk_type {
                PkType::String => PkValue::String(String::from_utf8_lossy(b).into_owned()),
                _ => PkValue::Binary(b.clone()),
            },
        }
    }

    /// Bytes this part contributes to a row's size (for page and split accounting).
    pub fn size(&self) -> usize {
        match self {
            KeyPart::Bytes(b) => b.len(),
            KeyPart::Integer(_) => 8,
            KeyPart::InfMin | KeyPart::InfMax => 1,
        }
    }
}

impl SortKey {
    /// The sortable form of a validated key (no auto-increment placeholders left).
    pub fn from_primary_key(pk: &PrimaryKey) -> Option<SortKey> {
        pk.columns()
            .iter()
            .map(|c| KeyPart::from_value(&c.value))
            .collect::<Option<Vec<_>>>()
            .map(SortKey)
    }

    /// Rebuilds the typed key with the schema's column names.
    pub fn to_primary_key(&self, schema: &[PkSchema]) -> PrimaryKey {
        PrimaryKey(
            self.0
                .iter()
                .zip(schema)
                .map(|(part, col)| PkColumn {
                    name: col.name.clone(),
                    value: part.to_value(col.pk_type),
                })
                .collect(),
        )
    }

    /// The key's share of a row's size: values plus column names.
    pub fn size(&self, schema: &[PkSchema]) -> usize {
        self.0
            .iter()
            .zip(schema)
            .map(|(p, c)| p.size() + c.name.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: Vec<KeyPart>) -> SortKey {
        SortKey(parts)
    }

    #[test]
    fn integers_sort_numerically_including_negatives() {
        let mut keys: Vec<_> = [5i64, -1, 0, i64::MIN, i64::MAX, -300]
            .iter()
            .map(|i| key(vec![KeyPart::Integer(*i)]))
            .collect();
        keys.sort();
        let order: Vec<i64> = keys
            .iter()
            .map(|k| match k.0[0] {
                KeyPart::Integer(i) => i,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, vec![i64::MIN, -300, -1, 0, 5, i64::MAX]);
    }

    #[test]
    fn bytes_sort_bytewise_and_prefixes_first() {
        let a = key(vec![KeyPart::Bytes(b"ab".to_vec())]);
        let b = key(vec![KeyPart::Bytes(b"abc".to_vec())]);
        let c = key(vec![KeyPart::Bytes(vec![0xff])]);
        let d = key(vec![KeyPart::Bytes(b"B".to_vec())]);
        assert!(d < a, "upper case sorts before lower case bytewise");
        assert!(a < b);
        assert!(b < c, "0xff sorts after ASCII");
    }

    #[test]
    fn infinities_bound_every_value_per_column() {
        let min = key(vec![KeyPart::Integer(7), KeyPart::InfMin]);
        let max = key(vec![KeyPart::Integer(7), KeyPart::InfMax]);
        let mid = key(vec![KeyPart::Integer(7), KeyPart::Bytes(vec![])]);
        assert!(min < mid && mid < max);
        assert!(key(vec![KeyPart::InfMin]) < key(vec![KeyPart::Integer(i64::MIN)]));
        assert!(key(vec![KeyPart::InfMax]) > key(vec![KeyPart::Bytes(vec![0xff; 8])]));
        // The first column decides before the second.
        assert!(max < key(vec![KeyPart::Integer(8), KeyPart::InfMin]));
    }

    #[test]
    fn round_trips_through_the_schema() {
        let schema = vec![
            PkSchema::new("s", PkType::String),
            PkSchema::new("i", PkType::Integer),
            PkSchema::new("b", PkType::Binary),
        ];
        let pk = PrimaryKey::new([
            ("s", PkValue::String("héllo".into())),
            ("i", PkValue::Integer(-4)),
            ("b", PkValue::Binary(vec![0, 1, 2])),
        ]);
        let sort = SortKey::from_primary_key(&pk).unwrap();
        assert_eq!(sort.to_primary_key(&schema), pk);
        assert!(
            SortKey::from_primary_key(&PrimaryKey::new([("a", PkValue::AutoIncrement)])).is_none()
        );
    }
}
