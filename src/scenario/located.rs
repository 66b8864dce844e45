//! Values that remember where in which file they were written, so later validation can point at them.

use std::cell::RefCell;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer};

use crate::diagnostic::{Location, Source};

thread_local! {
    static CURRENT: RefCell<Option<Arc<Source>>> = const { RefCell::new(None) };
}

/// Runs `f` with `source` as the file that [`Located`] values being deserialized belong to.
pub(crate) fn with_source<R>(source: &Arc<Source>, f: impl FnOnce() -> R) -> R {
    let prev = CURRENT.with(|c| c.replace(Some(Arc::clone(source))));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = prev);
    out
}

/// A value with the place it was written (a TOML value or a CSV cell).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub location: Option<Location>,
}

impl<T> Located<T> {
    pub fn new(value: T, location: Option<Location>) -> Located<T> {
        Located { value, location }
    }

    pub fn bare(value: T) -> Located<T> {
        Located { value, location: None }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = toml::Spanned::<T>::deserialize(d)?;
        let span = spanned.span();
        let location = CURRENT.with(|c| c.borrow().as_ref().map(|s| Location::new(s, span)));
        Ok(Located { value: spanned.into_inner(), location })
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Located<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(g)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}
