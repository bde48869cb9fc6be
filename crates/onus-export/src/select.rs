//! Choosing an offering or a party by id, with a suggestion on a miss.

use onus_core::diagnostic::suggest;
use onus_core::resolve::{Matrix, ResolvedOffering};

/// An id given on the command line that the model does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectError {
    pub kind: &'static str,
    pub id: String,
    pub known: Vec<String>,
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the model has no {} `{}`", self.kind, self.id)?;
        match suggest(&self.id, self.known.iter().map(String::as_str)) {
            Some(s) => write!(f, "; {s}"),
            None => write!(f, "; it has: {}", self.known.join(", ")),
        }
    }
}

impl std::error::Error for SelectError {}

/// Every offering, or the one named.
pub fn select_offerings<'m>(
    matrix: &'m Matrix,
    id: Option<&str>,
) -> Result<Vec<&'m ResolvedOffering>, SelectError> {
    match id {
        None => Ok(matrix.offerings.iter().collect()),
        Some(id) => matrix
            .offering(id)
            .map(|o| vec![o])
            .ok_or_else(|| SelectError {
                kind: "offering",
                id: id.to_string(),
                known: matrix.offerings.iter().map(|o| o.id.clone()).collect(),
            }),
    }
}

/// The qualified id of the party named, or of the customer-role party.
pub fn select_party(matrix: &Matrix, id: Option<&str>) -> Result<String, SelectError> {
    let known = || matrix.parties.keys().cloned().collect();
    match id {
        Some(id) if matrix.parties.contains_key(id) => Ok(id.to_string()),
        Some(id) => Err(SelectError {
            kind: "party",
            id: id.to_string(),
            known: known(),
        }),
        None => matrix
            .customer()
            .map(str::to_string)
            .ok_or_else(|| SelectError {
                kind: "party with the role",
                id: "customer".to_string(),
                known: known(),
            }),
    }
}

/// The matrix of one offering: `onus render --offering ID`. Practices and
/// evidence that no holder of that offering names are left out, so the
/// document lists only what backs this offering. Cut down in place
/// ([`Matrix::retain_offerings`]): nothing is copied.
pub fn only_offering(mut matrix: Matrix, id: &str) -> Result<Matrix, SelectError> {
    select_offerings(&matrix, Some(id))?;
    matrix.retain_offerings(|o| o.id == id);
    Ok(matrix)
}
