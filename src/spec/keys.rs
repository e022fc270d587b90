//! The table of keys. Texts restate the toolchain's reference page in our own words.

use super::{
    Beyond, Bound, Doc, KeySpec, Legacy, Level, MapKind, PrecisionRole, Scalar, ScalarType,
    ValueSpec,
};

/// The precisions a node or op type can be given.
pub const QTYPES: &[&str] = &["int8", "int16", "float16", "float32"];
/// Error compensation: valid only in `input0`/`input1` of a node entry.
pub const EC: &str = "ec";
/// Calibration search and bias-correction metrics.
pub const METRICS: &[&str] = &[
    "cosine-similarity",
    "mse",
    "mae",
    "mre",
    "sqnr",
    "chebyshev",
];
/// The legacy horizon_nn keys of op and node entries.
pub const LEGACY_KEYS: &[&str] = &["InputType", "InputType0", "InputType1", "OutputType", "ON"];
/// Op types on which `ec` works, and the input indices where it does.
pub const EC_OPS: &[(&str, &[usize])] = &[
    ("Conv", &[1]),
    ("ConvTranspose", &[1]),
    ("MatMul", &[0, 1]),
    ("GridSample", &[0]),
    ("Resize", &[0]),
];

const QTYPE_INPUT: &[&str] = &["int8", "int16", "float16", "float32", "ec"];

const fn string(values: &'static [&'static str]) -> ValueSpec {
    ValueSpec::Scalar(Scalar {
        ty: ScalarType::String,
        list: false,
        values,
        tolerated: &[],
        precision: None,
        min: None,
        max: None,
    })
}

/// A precision key: its values come from the active profile; `values` holds the nash ones.
const fn precision(role: PrecisionRole) -> ValueSpec {
    ValueSpec::Scalar(Scalar {
        ty: ScalarType::String,
        list: false,
        values: match role {
            PrecisionRole::Qtype => QTYPES,
            PrecisionRole::Input => QTYPE_INPUT,
            PrecisionRole::AllNodeType => &["int16", "float16"],
        },
        tolerated: match role {
            PrecisionRole::AllNodeType => &["int8", "float32"],
            _ => &[],
        },
        precision: Some(role),
        min: None,
        max: None,
    })
}

const fn bools() -> ValueSpec {
    ValueSpec::Scalar(Scalar {
        ty: ScalarType::Bool,
        list: true,
        values: &[],
        tolerated: &[],
        precision: None,
        min: None,
        max: None,
    })
}

const QTYPE_DOC: Doc = Doc {
    en: "Input precision of the node(s): `int8` (the default for most ops), `int16`, `float16` \
         (only this node; falls back to float32 where the platform lacks float16) or `float32`.",
    zh: "节点输入的计算精度：`int8`（大多数算子的默认值）、`int16`、`float16`（只作用于该节点，平台不支持时回退为 float32）或 `float32`。",
};

const METRIC_DOC_EN: &str =
    "How the error is measured: `cosine-similarity` (default), `mse`, `mae`, `mre`, `sqnr` or `chebyshev`.";
const METRIC_DOC_ZH: &str =
    "误差度量方法：`cosine-similarity`（默认）、`mse`、`mae`、`mre`、`sqnr` 或 `chebyshev`。";

pub static TOP: Level = Level {
    path: "",
    keys: &[
        KeySpec {
            name: "model_config",
            value: ValueSpec::Object(&MODEL_CONFIG),
            default: None,
            doc: Doc {
                en: "Settings for the whole model: global precision, output precision, calibration of activations and weights, and calibration search.",
                zh: "整个模型的量化参数：全局精度、输出精度、激活与权重的校准方法以及校准参数搜索。",
            },
        },
        KeySpec {
            name: "op_config",
            value: ValueSpec::Map(MapKind::OpType, &OP_ENTRY),
            default: None,
            doc: Doc {
                en: "Precision per op type. Keys are ONNX op types exactly as in the model (`Conv`, `Softmax`; case matters). Wins over `model_config`.",
                zh: "按算子类型配置精度。键是模型中出现的 ONNX 算子类型（如 `Conv`、`Softmax`，区分大小写）。优先级高于 `model_config`。",
            },
        },
        KeySpec {
            name: "node_config",
            value: ValueSpec::Map(MapKind::NodeName, &NODE_ENTRY),
            default: None,
            doc: Doc {
                en: "Precision per node. Keys are node names as they appear in `optimized_float_model.onnx` (optimization renames, splits and fuses nodes, so names can differ from the exported model). Wins over everything else.",
                zh: "按节点配置精度。键是 `optimized_float_model.onnx` 中的节点名（优化过程会拆分、融合算子，名称可能与导出的模型不同）。优先级最高。",
            },
        },
        KeySpec {
            name: "subgraph_config",
            value: ValueSpec::Map(MapKind::SubgraphName, &SUBGRAPH_ENTRY),
            default: None,
            doc: Doc {
                en: "Precision for the nodes between given input and output tensors (OE 3.x, J6). Priority lies between `op_config` and `node_config`.",
                zh: "为给定输入、输出张量之间的节点配置精度（OE 3.x，J6）。优先级介于 `op_config` 与 `node_config` 之间。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static MODEL_CONFIG: Level = Level {
    path: "model_config",
    keys: &[
        KeySpec {
            name: "all_node_type",
            value: precision(PrecisionRole::AllNodeType),
            default: None,
            doc: Doc {
                en: "Sets the input precision of every node at once: `int16` or `float16`. `int8` is already the default.",
                zh: "一次性把模型中所有节点的输入设为指定精度：`int16` 或 `float16`。`int8` 本来就是默认值。",
            },
        },
        KeySpec {
            name: "model_output_type",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::String,
                list: false,
                values: &["int8", "int16"],
                tolerated: &["float32"],
                precision: None,
                min: None,
                max: None,
            }),
            default: None,
            doc: Doc {
                en: "Precision of the model's output tensors: `int8` or `int16`.",
                zh: "模型输出张量的精度：`int8` 或 `int16`。",
            },
        },
        KeySpec {
            name: "activation",
            value: ValueSpec::Object(&ACTIVATION),
            default: None,
            doc: Doc {
                en: "How activations are calibrated. Without any calibration setting the toolchain tries several methods and keeps the best (slow).",
                zh: "激活的校准参数。若不做任何校准配置，工具会尝试多种校准方法并选用量化损失最小的一种（较慢）。",
            },
        },
        KeySpec {
            name: "weight",
            value: ValueSpec::Object(&WEIGHT),
            default: None,
            doc: Doc {
                en: "How weights are calibrated.",
                zh: "权重的校准参数。",
            },
        },
        KeySpec {
            name: "modelwise_search",
            value: ValueSpec::Object(&MODELWISE_SEARCH),
            default: None,
            doc: Doc {
                en: "Picks, among several calibration methods, the one whose model output loses least. Starts by default when several methods are configured.",
                zh: "在模型层面搜索：比较量化前后模型输出的损失，从多种校准方法中选出损失最小的一种。配置了多个校准方法时默认启用。",
            },
        },
        KeySpec {
            name: "layerwise_search",
            value: ValueSpec::Object(&LAYERWISE_SEARCH),
            default: None,
            doc: Doc {
                en: "Picks the calibration method node by node, by the loss of the model output. Wins over `modelwise_search` when both are set.",
                zh: "在节点层面搜索：逐个节点根据模型输出的损失选择最优校准方法。与 `modelwise_search` 同时配置时以它为准。",
            },
        },
        KeySpec {
            name: "search",
            value: ValueSpec::Object(&SEARCH),
            default: None,
            doc: Doc {
                en: "Precision search of hmct 2.8 and later (toolchain `hmct-2.8`), e.g. `{\"layer\": {\"topk\": 256, \"qtype\": \"int16\", \"metric\": \"cosine-similarity\"}}`. qcls checks the keys of `layer` and accepts the others.",
                zh: "hmct 2.8 及以后版本（工具链 `hmct-2.8`）的精度搜索配置，例如 `{\"layer\": {\"topk\": 256, \"qtype\": \"int16\", \"metric\": \"cosine-similarity\"}}`。qcls 检查 `layer` 中的键，其余键不做检查。",
            },
        },
        KeySpec {
            name: "experimental",
            value: ValueSpec::AnyObject,
            default: None,
            doc: Doc {
                en: "Experimental options of the toolchain. The loader accepts the object; qcls does not check what is inside.",
                zh: "工具链的实验性选项。加载器接受该对象；qcls 不检查其内容。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static ACTIVATION: Level = Level {
    path: "model_config.activation",
    keys: &[
        KeySpec {
            name: "calibration_type",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::String,
                list: true,
                values: &["kl", "max"],
                tolerated: &[],
                precision: None,
                min: None,
                max: None,
            }),
            default: None,
            doc: Doc {
                en: "Calibration method for activations: `kl` or `max`, or a list of them to search over.",
                zh: "激活校准方法：`kl` 或 `max`，也可以是包含多种方法的列表，用于搜索。",
            },
        },
        KeySpec {
            name: "num_bin",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::Int,
                list: true,
                values: &[],
                tolerated: &[],
                precision: None,
                min: Some(Bound {
                    value: 128.0,
                    inclusive: false,
                    beyond: Beyond::ClampTo(129.0),
                }),
                max: None,
            }),
            default: Some("1024"),
            doc: Doc {
                en: "`kl` calibration: number of histogram bins, each greater than 128 (default 1024). A list searches over the values.",
                zh: "`kl` 校准参数：直方图的 bin 数，每个值须大于 128（默认 1024）。设为列表时在这些值中搜索。",
            },
        },
        KeySpec {
            name: "max_num_bin",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::Int,
                list: false,
                values: &[],
                tolerated: &[],
                precision: None,
                min: None,
                max: None,
            }),
            default: Some("16384"),
            doc: Doc {
                en: "`kl` calibration: the largest number of bins, at least every `num_bin` (default 16384).",
                zh: "`kl` 校准参数：bin 数的上限，须不小于每个 `num_bin`（默认 16384）。",
            },
        },
        KeySpec {
            name: "max_percentile",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::Float,
                list: true,
                values: &[],
                tolerated: &[],
                precision: None,
                min: Some(Bound {
                    value: 0.5,
                    inclusive: true,
                    beyond: Beyond::ClampTo(0.5),
                }),
                max: Some(Bound {
                    value: 1.0,
                    inclusive: true,
                    beyond: Beyond::Reject,
                }),
            }),
            default: Some("1.0"),
            doc: Doc {
                en: "`max` calibration: the percentile taken as the maximum, a float in [0.5, 1.0] (default 1.0). A list searches over the values.",
                zh: "`max` 校准参数：作为最大值的分位数，取值范围 [0.5, 1.0] 的浮点数（默认 1.0）。设为列表时在这些值中搜索。",
            },
        },
        KeySpec {
            name: "per_channel",
            value: bools(),
            default: Some("false"),
            doc: Doc {
                en: "Quantize per channel (`true`) or per tensor (`false`, default). `[true, false]` searches both.",
                zh: "是否开启 per-channel 量化，默认 `false`。设为 `[true, false]` 时两者都会尝试。",
            },
        },
        KeySpec {
            name: "asymmetric",
            value: bools(),
            default: Some("false"),
            doc: Doc {
                en: "Asymmetric quantization (`true`) or symmetric (`false`, default). `[true, false]` searches both.",
                zh: "是否开启非对称量化，默认 `false`。设为 `[true, false]` 时两者都会尝试。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static WEIGHT: Level = Level {
    path: "model_config.weight",
    keys: &[KeySpec {
        name: "bias_correction",
        value: ValueSpec::Object(&BIAS_CORRECTION),
        default: None,
        doc: Doc {
            en: "Bias correction of weights.",
            zh: "权重的偏差校正。",
        },
    }],
    legacy: &[],
    open: false,
};

pub static BIAS_CORRECTION: Level = Level {
    path: "model_config.weight.bias_correction",
    keys: &[
        KeySpec {
            name: "num_sample",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::Int,
                list: false,
                values: &[],
                tolerated: &[],
                precision: None,
                min: Some(Bound {
                    value: 1.0,
                    inclusive: true,
                    beyond: Beyond::Reject,
                }),
                max: None,
            }),
            default: Some("1"),
            doc: Doc {
                en: "Number of samples used for bias correction, at least 1 (default 1).",
                zh: "偏差校正使用的样本数，须不小于 1（默认 1）。",
            },
        },
        KeySpec {
            name: "metric",
            value: string(METRICS),
            default: Some("\"cosine-similarity\""),
            doc: Doc {
                en: METRIC_DOC_EN,
                zh: METRIC_DOC_ZH,
            },
        },
    ],
    legacy: &[],
    open: false,
};

const METRIC: KeySpec = KeySpec {
    name: "metric",
    value: string(METRICS),
    default: Some("\"cosine-similarity\""),
    doc: Doc {
        en: METRIC_DOC_EN,
        zh: METRIC_DOC_ZH,
    },
};

const TOPK: KeySpec = KeySpec {
    name: "topk",
    value: ValueSpec::Scalar(Scalar {
        ty: ScalarType::Int,
        list: false,
        values: &[],
        tolerated: &[],
        precision: None,
        min: Some(Bound {
            value: 1.0,
            inclusive: true,
            beyond: Beyond::Reject,
        }),
        max: None,
    }),
    default: None,
    doc: Doc {
        en: "How many of the nodes with the largest loss the search tries at a higher precision, at least 1.",
        zh: "搜索时对量化损失最大的多少个节点尝试更高精度，须不小于 1。",
    },
};

const SEARCH_QTYPE: KeySpec = KeySpec {
    name: "qtype",
    value: precision(PrecisionRole::Qtype),
    default: None,
    doc: Doc {
        en: "The precision the search tries on the chosen nodes.",
        zh: "搜索时为选中的节点尝试的精度。",
    },
};

pub static MODELWISE_SEARCH: Level = Level {
    path: "model_config.modelwise_search",
    keys: &[
        METRIC,
        KeySpec {
            name: "similarity",
            value: ValueSpec::Scalar(Scalar {
                ty: ScalarType::Float,
                list: false,
                values: &[],
                tolerated: &[],
                precision: None,
                min: Some(Bound {
                    value: 0.0,
                    inclusive: false,
                    beyond: Beyond::Reject,
                }),
                max: Some(Bound {
                    value: 1.0,
                    inclusive: true,
                    beyond: Beyond::Reject,
                }),
            }),
            default: None,
            doc: Doc {
                en: "The similarity the search aims for, a float in (0, 1], e.g. 0.995: the search stops once a calibration reaches it.",
                zh: "搜索的目标相似度，取值 (0, 1] 的浮点数，例如 0.995：某个校准方法达到该值即停止搜索。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static LAYERWISE_SEARCH: Level = Level {
    path: "model_config.layerwise_search",
    keys: &[METRIC, TOPK, SEARCH_QTYPE],
    legacy: &[],
    open: false,
};

/// `model_config.search` (hmct 2.8): only `layer` is known; other searches are accepted.
pub static SEARCH: Level = Level {
    path: "model_config.search",
    keys: &[KeySpec {
        name: "layer",
        value: ValueSpec::Object(&SEARCH_LAYER),
        default: None,
        doc: Doc {
            en: "Node-by-node precision search: `topk`, `qtype`, `metric`.",
            zh: "逐节点的精度搜索：`topk`、`qtype`、`metric`。",
        },
    }],
    legacy: &[],
    open: true,
};

pub static SEARCH_LAYER: Level = Level {
    path: "model_config.search.layer",
    keys: &[TOPK, SEARCH_QTYPE, METRIC],
    legacy: &[],
    open: false,
};

const INPUT_TYPE: Legacy = Legacy {
    name: "InputType",
    replacement: Some("qtype"),
    values: QTYPES,
    precision: Some(PrecisionRole::Qtype),
    doc: Doc {
        en: "Legacy horizon_nn key; write `qtype` instead.",
        zh: "旧版 horizon_nn 的键，请改用 `qtype`。",
    },
};

const OUTPUT_TYPE: Legacy = Legacy {
    name: "OutputType",
    replacement: None,
    values: QTYPES,
    precision: Some(PrecisionRole::Qtype),
    doc: Doc {
        en: "Legacy horizon_nn key for the output precision; quant_config sets input precisions (`qtype`, `input0`, `input1`).",
        zh: "旧版 horizon_nn 的输出精度键；quant_config 只配置输入精度（`qtype`、`input0`、`input1`）。",
    },
};

/// Node entries take every legacy key of horizon_nn.
const NODE_LEGACY: &[Legacy] = &[
    INPUT_TYPE,
    Legacy {
        name: "InputType0",
        replacement: Some("input0"),
        values: QTYPES,
        precision: Some(PrecisionRole::Qtype),
        doc: Doc {
            en: "Legacy horizon_nn key; write `input0` instead.",
            zh: "旧版 horizon_nn 的键，请改用 `input0`。",
        },
    },
    Legacy {
        name: "InputType1",
        replacement: Some("input1"),
        values: QTYPES,
        precision: Some(PrecisionRole::Qtype),
        doc: Doc {
            en: "Legacy horizon_nn key; write `input1` instead.",
            zh: "旧版 horizon_nn 的键，请改用 `input1`。",
        },
    },
    OUTPUT_TYPE,
    Legacy {
        name: "ON",
        replacement: Some("qtype"),
        values: &["CPU", "BPU"],
        precision: None,
        doc: Doc {
            en: "Legacy horizon_nn key choosing the processor: `CPU` is about `\"qtype\": \"float32\"`, `BPU` about `\"qtype\": \"int8\"`.",
            zh: "旧版 horizon_nn 选择运行单元的键：`CPU` 约等于 `\"qtype\": \"float32\"`，`BPU` 约等于 `\"qtype\": \"int8\"`。",
        },
    },
];

/// The loader knows only these two legacy keys in op_config; `ON` and `InputType0/1` are
/// rejected there.
const OP_LEGACY: &[Legacy] = &[INPUT_TYPE, OUTPUT_TYPE];

pub static OP_ENTRY: Level = Level {
    path: "op_config.<op type>",
    keys: &[KeySpec {
        name: "qtype",
        value: precision(PrecisionRole::Qtype),
        default: Some("\"int8\""),
        doc: QTYPE_DOC,
    }],
    legacy: OP_LEGACY,
    open: false,
};

pub static NODE_ENTRY: Level = Level {
    path: "node_config.<node name>",
    keys: &[
        KeySpec {
            name: "qtype",
            value: precision(PrecisionRole::Qtype),
            default: Some("\"int8\""),
            doc: QTYPE_DOC,
        },
        KeySpec {
            name: "input0",
            value: precision(PrecisionRole::Input),
            default: None,
            doc: Doc {
                en: "Precision of the node's input 0; wins over `qtype`. `ec` is int8 with error compensation, on the inputs listed below.",
                zh: "节点第 0 个输入的精度，优先级高于 `qtype`。`ec` 为带误差补偿的 int8，只在下列输入生效。",
            },
        },
        KeySpec {
            name: "input1",
            value: precision(PrecisionRole::Input),
            default: None,
            doc: Doc {
                en: "Precision of the node's input 1; wins over `qtype`. `ec` is int8 with error compensation, on the inputs listed below.",
                zh: "节点第 1 个输入的精度，优先级高于 `qtype`。`ec` 为带误差补偿的 int8，只在下列输入生效。",
            },
        },
    ],
    legacy: NODE_LEGACY,
    open: false,
};

pub static SUBGRAPH_ENTRY: Level = Level {
    path: "subgraph_config.<name>",
    keys: &[
        KeySpec {
            name: "inputs",
            value: ValueSpec::TensorNames,
            default: None,
            doc: Doc {
                en: "Tensor names where the subgraph begins.",
                zh: "子图起始处的张量名称。",
            },
        },
        KeySpec {
            name: "outputs",
            value: ValueSpec::TensorNames,
            default: None,
            doc: Doc {
                en: "Tensor names where the subgraph ends.",
                zh: "子图结束处的张量名称。",
            },
        },
        KeySpec {
            name: "qtype",
            value: precision(PrecisionRole::Qtype),
            default: None,
            doc: Doc {
                en: "Input precision of every node in the subgraph; wins over `op_config`, loses to `node_config`.",
                zh: "子图内所有节点的输入精度；优先级高于 `op_config`，低于 `node_config`。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

/// The level of an object reached by following `path` (member keys) from the top.
pub fn lookup_level(path: &[&str]) -> Option<&'static Level> {
    let mut level: &'static Level = &TOP;
    let mut rest = path;
    while let Some((first, tail)) = rest.split_first() {
        let key = level.key(first)?;
        match &key.value {
            ValueSpec::Object(next) => {
                level = next;
                rest = tail;
            }
            ValueSpec::Map(_, entry) => {
                // The next segment is the user's name; the one after enters the entry.
                if tail.is_empty() {
                    return None;
                }
                level = entry;
                rest = &tail[1..];
            }
            ValueSpec::Scalar(_)
            | ValueSpec::TensorNames
            | ValueSpec::AnyObject
            | ValueSpec::Any => return None,
        }
    }
    Some(level)
}
