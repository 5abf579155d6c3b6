//! One macro for every closed set of values on the wire, so that each enum has the same three
//! guarantees: its spelling is written once (serde, the store and logs all use it), a value this
//! version does not know decodes to `Unknown` instead of failing the whole message, and the list
//! of known values is there for exhaustive tests.

/// Declares a wire enum: `wire_enum! { /// doc  pub enum Name { /// doc  Variant = "spelling", … } }`.
///
/// Adds the variant `Unknown` (spelled `"unknown"`), `KNOWN` (every other variant in order),
/// `as_str`, `parse` (known spellings only), `Display`, and serde as the plain string.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $spelling:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
            /// A value this version does not know (sent by a newer server): shown as "not
            /// known", never taken for another value.
            Unknown,
        }

        impl $name {
            /// Every value this version knows, in declaration order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $spelling,)+
                    Self::Unknown => "unknown",
                }
            }

            /// The value of a known spelling; `None` for anything else (also `"unknown"`).
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($spelling => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::parse(&text).unwrap_or(Self::Unknown))
            }
        }
    };
}
