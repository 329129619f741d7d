//! Small function components with `PartialEq` props.

pub mod cluster;
pub mod node;
