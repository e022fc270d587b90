//! The quant_config rules as data.
