//! The keys of the hb_compile YAML, one `Level` per section in the order of the file, with
//! what each accepts and its documentation. The lists the checker applies across keys (keys of
//! several types, nullable, `;`-separated, ignored by OE 3.x) and the sources are in the parent
//! module.

use super::super::{Beyond, Bound, Doc, KeySpec, Level, Scalar, ScalarType, ValueSpec};
use super::MARCHES;

const NO_VALUES: &[&str] = &[];
const LAYOUTS: &[&str] = &["NCHW", "NHWC"];
const NODE_DTYPES: &[&str] = &["int8", "int16", "float16", "float32"];

const fn scalar(
    ty: ScalarType,
    values: &'static [&'static str],
    tolerated: &'static [&'static str],
    min: Option<Bound>,
    max: Option<Bound>,
) -> ValueSpec {
    ValueSpec::Scalar(Scalar {
        ty,
        list: false,
        values,
        tolerated,
        precision: None,
        min,
        max,
    })
}

/// Any string.
const fn text() -> ValueSpec {
    scalar(ScalarType::String, NO_VALUES, NO_VALUES, None, None)
}

/// A string from `values`; `tolerated` is accepted without a diagnostic.
const fn one_of(values: &'static [&'static str], tolerated: &'static [&'static str]) -> ValueSpec {
    scalar(ScalarType::String, values, tolerated, None, None)
}

const fn boolean() -> ValueSpec {
    scalar(ScalarType::Bool, NO_VALUES, NO_VALUES, None, None)
}

const fn int(min: Option<Bound>, max: Option<Bound>) -> ValueSpec {
    scalar(ScalarType::Int, NO_VALUES, NO_VALUES, min, max)
}

const fn float(min: Option<Bound>, max: Option<Bound>) -> ValueSpec {
    scalar(ScalarType::Float, NO_VALUES, NO_VALUES, min, max)
}

/// An inclusive end that the toolchain enforces by rejecting the file.
const fn at(value: f64) -> Option<Bound> {
    Some(Bound {
        value,
        inclusive: true,
        beyond: Beyond::Reject,
    })
}

pub static HB_TOP: Level = Level {
    path: "",
    keys: &[
        KeySpec {
            name: "model_parameters",
            value: ValueSpec::Object(&HB_MODEL_PARAMETERS),
            default: None,
            doc: Doc {
                en: "The model to convert, the target chip (`march`), where the outputs go, and per-node settings (`node_info`).",
                zh: "待转换的模型、目标芯片（`march`）、输出位置以及逐节点设置（`node_info`）。",
            },
        },
        KeySpec {
            name: "input_parameters",
            value: ValueSpec::Object(&HB_INPUT_PARAMETERS),
            default: None,
            doc: Doc {
                en: "The model's inputs: names, shapes, data formats in training and on the board, and the preprocessing added in front.",
                zh: "模型输入：名称、形状、训练时与上板时的数据格式，以及在模型前插入的预处理。",
            },
        },
        KeySpec {
            name: "calibration_parameters",
            value: ValueSpec::Object(&HB_CALIBRATION_PARAMETERS),
            default: None,
            doc: Doc {
                en: "Calibration data and method, and the quantization settings: `quant_config` (OE 3.x), `run_on_cpu`/`run_on_bpu`, `optimization`.",
                zh: "校准数据与校准方法，以及量化设置：`quant_config`（OE 3.x）、`run_on_cpu`/`run_on_bpu`、`optimization`。",
            },
        },
        KeySpec {
            name: "compiler_parameters",
            value: ValueSpec::Object(&HB_COMPILER_PARAMETERS),
            default: None,
            doc: Doc {
                en: "How the quantized model is compiled for the BPU: optimization goal and level, cores, parallel jobs, input sources.",
                zh: "量化模型如何编译到 BPU：优化目标与级别、核数、并行任务数、输入来源。",
            },
        },
        KeySpec {
            name: "custom_op",
            value: ValueSpec::Object(&HB_CUSTOM_OP),
            default: None,
            doc: Doc {
                en: "Custom CPU operators implemented in Python; only needed when the model has such operators.",
                zh: "用 Python 实现的自定义 CPU 算子；仅当模型含有此类算子时需要。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static HB_MODEL_PARAMETERS: Level = Level {
    path: "model_parameters",
    keys: &[
        KeySpec {
            name: "onnx_model",
            value: text(),
            default: None,
            doc: Doc {
                en: "Path of the float ONNX model to convert. Give either this or `caffe_model` with `prototxt`, not both.",
                zh: "待转换的浮点 ONNX 模型路径。与 `caffe_model`+`prototxt` 二选一，不能同时给出。",
            },
        },
        KeySpec {
            name: "caffe_model",
            value: text(),
            default: None,
            doc: Doc {
                en: "Path of a Caffe model (`.caffemodel`), given together with `prototxt`; not together with `onnx_model`.",
                zh: "Caffe 模型（`.caffemodel`）路径，须与 `prototxt` 一起给出；不能与 `onnx_model` 同时使用。",
            },
        },
        KeySpec {
            name: "prototxt",
            value: text(),
            default: None,
            doc: Doc {
                en: "Path of the Caffe network description (`.prototxt`) that goes with `caffe_model`.",
                zh: "与 `caffe_model` 配套的 Caffe 网络结构文件（`.prototxt`）路径。",
            },
        },
        KeySpec {
            name: "march",
            value: one_of(MARCHES, NO_VALUES),
            default: None,
            doc: Doc {
                en: "The BPU architecture to compile for (required). OE 3.x: `nash-e` (RDK S100), `nash-m` (S100P), `nash-p` (S600) and the other `nash-*`; OE 1.x: `bayes-e` (RDK X5), `bayes` (RDK Ultra), `bernoulli2` (RDK X3). It also chooses qcls's precision profile.",
                zh: "编译目标的 BPU 架构（必填）。OE 3.x：`nash-e`（RDK S100）、`nash-m`（S100P）、`nash-p`（S600）及其他 `nash-*`；OE 1.x：`bayes-e`（RDK X5）、`bayes`（RDK Ultra）、`bernoulli2`（RDK X3）。qcls 也据此选择精度配置。",
            },
        },
        KeySpec {
            name: "log_level",
            value: int(None, None),
            default: None,
            doc: Doc {
                en: "OE 3.x: deprecated and ignored; the console always logs at info level and the log file at debug level.",
                zh: "OE 3.x：已废弃，不起作用；控制台日志固定为 info 级别，日志文件固定为 debug 级别。",
            },
        },
        KeySpec {
            name: "layer_out_dump",
            value: boolean(),
            default: Some("false"),
            doc: Doc {
                en: "Keep the ability to output every layer's intermediate results, a debugging aid; leave it off normally. OE 3.x also takes a string or an integer here.",
                zh: "是否保留输出各层中间结果的能力，仅用于调试，通常保持关闭。OE 3.x 也接受字符串或整数。",
            },
        },
        KeySpec {
            name: "working_dir",
            value: text(),
            default: Some("\"./model_output\""),
            doc: Doc {
                en: "Folder for the conversion's outputs, created when missing. qcls looks there for `{output_model_file_prefix}_optimized_float_model.onnx`.",
                zh: "转换结果的输出目录，不存在时自动创建。qcls 会在此查找 `{output_model_file_prefix}_optimized_float_model.onnx`。",
            },
        },
        KeySpec {
            name: "output_model_file_prefix",
            value: text(),
            default: Some("\"model\""),
            doc: Doc {
                en: "Prefix of every output file's name; must not be empty. Required in OE 1.x.",
                zh: "所有输出文件名的前缀，不能为空。OE 1.x 中为必填项。",
            },
        },
        KeySpec {
            name: "output_nodes",
            value: text(),
            default: None,
            doc: Doc {
                en: "Node names, `;`-separated, that become the model's only outputs instead of the detected ones; the model is cut there.",
                zh: "以 `;` 分隔的节点名，作为模型仅有的输出以替代自动识别的输出，模型在此处截断。",
            },
        },
        KeySpec {
            name: "remove_node_type",
            value: text(),
            default: None,
            doc: Doc {
                en: "Op types, `;`-separated, whose nodes next to the model's inputs or outputs are removed: `Quantize`, `Transpose`, `Dequantize`, `Cast`, `Reshape`, `Softmax`.",
                zh: "以 `;` 分隔的算子类型，删除紧邻模型输入或输出的这些类型节点：`Quantize`、`Transpose`、`Dequantize`、`Cast`、`Reshape`、`Softmax`。",
            },
        },
        KeySpec {
            name: "remove_node_name",
            value: text(),
            default: None,
            doc: Doc {
                en: "Names of nodes next to the model's inputs or outputs to remove, `;`-separated; they are removed in the order given.",
                zh: "以 `;` 分隔的节点名，删除紧邻模型输入或输出的这些节点，按给出的顺序依次删除。",
            },
        },
        KeySpec {
            name: "set_node_data_type",
            value: text(),
            default: None,
            doc: Doc {
                en: "OE 1.x (RDK X5 / Ultra): sets the output type of nodes to int16. Deprecated: use `node_info` with `OutputType`. OE 3.x ignores it.",
                zh: "OE 1.x（RDK X5 / Ultra）：将节点输出类型设为 int16。已废弃，请改用 `node_info` 的 `OutputType`。OE 3.x 中不起作用。",
            },
        },
        KeySpec {
            name: "node_info",
            value: ValueSpec::AnyObject,
            default: None,
            doc: Doc {
                en: "Per-node settings keyed by node name: `ON` (`CPU`/`BPU`), `InputType`, `InputType0`, `InputType1`, …, `OutputType`. Wins over every other precision setting. A string `name:type;name:type` sets output types only.",
                zh: "按节点名配置：`ON`（`CPU`/`BPU`）、`InputType`、`InputType0`、`InputType1`……、`OutputType`。优先级高于其他所有精度设置。写成字符串 `name:type;name:type` 时只设置输出类型。",
            },
        },
        KeySpec {
            name: "debug_mode",
            value: one_of(&["dump_calibration_data"], &[""]),
            default: None,
            doc: Doc {
                en: "`dump_calibration_data` saves the calibration data as `.npy` files for the precision debugging tools.",
                zh: "设为 `dump_calibration_data` 时将校准数据保存为 `.npy` 文件，供精度调试工具使用。",
            },
        },
        KeySpec {
            name: "enable_vpu",
            value: boolean(),
            default: Some("true"),
            doc: Doc {
                en: "OE 3.x: let the compiled model use the VPU (vector processing unit).",
                zh: "OE 3.x：是否允许编译后的模型使用 VPU（向量处理单元）。",
            },
        },
        KeySpec {
            name: "enable_spu",
            value: boolean(),
            default: Some("true"),
            doc: Doc {
                en: "OE 3.x: let the compiled model use the SPU (scalar processing unit).",
                zh: "OE 3.x：是否允许编译后的模型使用 SPU（标量处理单元）。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static HB_INPUT_PARAMETERS: Level = Level {
    path: "input_parameters",
    keys: &[
        KeySpec {
            name: "input_name",
            value: text(),
            default: None,
            doc: Doc {
                en: "Names of the model's inputs, `;`-separated. May be left out for a single input; with several it fixes the order of every per-input value.",
                zh: "模型输入名称，以 `;` 分隔。单输入时可省略；多输入时须写明，它决定其他逐输入参数的顺序。",
            },
        },
        KeySpec {
            name: "input_type_rt",
            value: one_of(
                &["nv12", "yuv444", "rgb", "bgr", "gray", "featuremap"],
                &["yuv444_128", "yuv_bt601_full", "yuv_bt601_video"],
            ),
            default: None,
            doc: Doc {
                en: "Data format fed to the compiled model on the board, one per input: `nv12`, `yuv444`, `rgb`, `bgr`, `gray` or `featuremap`.",
                zh: "上板运行时送入模型的数据格式，每个输入一个：`nv12`、`yuv444`、`rgb`、`bgr`、`gray` 或 `featuremap`。",
            },
        },
        KeySpec {
            name: "input_space_and_range",
            value: one_of(&["regular", "bt601_video"], &[""]),
            default: Some("\"regular\""),
            doc: Doc {
                en: "Value range of `nv12` input: `regular` (0–255) or `bt601_video` (16–235). Only for `nv12`.",
                zh: "`nv12` 输入的取值范围：`regular`（0–255）或 `bt601_video`（16–235）。仅用于 `nv12`。",
            },
        },
        KeySpec {
            name: "input_type_train",
            value: one_of(
                &["rgb", "bgr", "yuv444", "gray", "featuremap"],
                &["yuv444_128", "yuv_bt601_full", "yuv_bt601_video"],
            ),
            default: None,
            doc: Doc {
                en: "Data format the float model was trained on, one per input: `rgb`, `bgr`, `yuv444`, `gray` or `featuremap`.",
                zh: "浮点模型训练时的输入数据格式，每个输入一个：`rgb`、`bgr`、`yuv444`、`gray` 或 `featuremap`。",
            },
        },
        KeySpec {
            name: "input_layout_rt",
            value: one_of(LAYOUTS, NO_VALUES),
            default: None,
            doc: Doc {
                en: "OE 1.x: layout of the board-side input, one per input: `NCHW` or `NHWC`; not needed for `nv12`. OE 3.x ignores it.",
                zh: "OE 1.x：上板输入的数据排布，每个输入一个：`NCHW` 或 `NHWC`；`nv12` 时无需配置。OE 3.x 中不起作用。",
            },
        },
        KeySpec {
            name: "input_layout_train",
            value: one_of(LAYOUTS, NO_VALUES),
            default: None,
            doc: Doc {
                en: "Layout of the float model's input, one per input: `NCHW` or `NHWC`. Needed for every input that is not `featuremap`.",
                zh: "浮点模型输入的数据排布，每个输入一个：`NCHW` 或 `NHWC`。非 `featuremap` 输入必须配置。",
            },
        },
        KeySpec {
            name: "norm_type",
            value: one_of(
                &["no_preprocess", "data_mean", "data_scale", "data_mean_and_scale"],
                NO_VALUES,
            ),
            default: None,
            doc: Doc {
                en: "OE 1.x: preprocessing added in front of the model, one per input: `no_preprocess`, `data_mean`, `data_scale` or `data_mean_and_scale`. OE 3.x ignores it and derives it from `mean_value`/`scale_value`/`std_value`.",
                zh: "OE 1.x：在模型前插入的预处理，每个输入一个：`no_preprocess`、`data_mean`、`data_scale` 或 `data_mean_and_scale`。OE 3.x 忽略此项，根据 `mean_value`/`scale_value`/`std_value` 自动推导。",
            },
        },
        KeySpec {
            name: "input_shape",
            value: text(),
            default: None,
            doc: Doc {
                en: "Shape of each input, dimensions joined by `x` (e.g. `1x3x224x224`), `;` between inputs. Needed when the model's input shape is dynamic.",
                zh: "各输入的形状，维度之间用 `x` 连接（如 `1x3x224x224`），输入之间用 `;` 分隔。模型输入为动态形状时必须配置。",
            },
        },
        KeySpec {
            name: "input_batch",
            value: int(at(1.0), None),
            default: Some("1"),
            doc: Doc {
                en: "Batch size of the compiled model's input, one value for all inputs; every input's first dimension must then be 1. A string in OE 3.x, an integer (1–128) in OE 1.x.",
                zh: "编译后模型输入的 batch 大小，所有输入共用一个值；此时各输入的第一维须为 1。OE 3.x 中为字符串，OE 1.x 中为整数（1–128）。",
            },
        },
        KeySpec {
            name: "separate_batch",
            value: boolean(),
            default: Some("false"),
            doc: Doc {
                en: "OE 3.x: split the batch of the inputs into separate inputs. Not together with `separate_name`.",
                zh: "OE 3.x：是否将输入的 batch 拆分为独立的输入。不能与 `separate_name` 同时使用。",
            },
        },
        KeySpec {
            name: "separate_name",
            value: text(),
            default: None,
            doc: Doc {
                en: "OE 3.x: names of the inputs, `;`-separated, whose batch is split. Not together with `separate_batch`.",
                zh: "OE 3.x：需要拆分 batch 的输入名称，以 `;` 分隔。不能与 `separate_batch` 同时使用。",
            },
        },
        KeySpec {
            name: "mean_value",
            value: text(),
            default: None,
            doc: Doc {
                en: "Mean subtracted in the added preprocessing: one value for all channels or one per channel; `;` between inputs.",
                zh: "插入的预处理中减去的均值：所有通道共用一个值，或每个通道一个值；输入之间用 `;` 分隔。",
            },
        },
        KeySpec {
            name: "scale_value",
            value: text(),
            default: None,
            doc: Doc {
                en: "Factor the input is multiplied by after the mean is subtracted: one value or one per channel; `;` between inputs. Not together with `std_value`.",
                zh: "减去均值后乘以的缩放系数：一个值或每个通道一个值；输入之间用 `;` 分隔。不能与 `std_value` 同时使用。",
            },
        },
        KeySpec {
            name: "std_value",
            value: text(),
            default: None,
            doc: Doc {
                en: "OE 3.x: standard deviation the input is divided by, instead of `scale_value` (not both): one value or one per channel.",
                zh: "OE 3.x：输入除以的标准差，用来替代 `scale_value`（二者不能同时使用）：一个值或每个通道一个值。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

/// Open: the OE 3.x schema accepts keys besides these in this section (and only here).
pub static HB_CALIBRATION_PARAMETERS: Level = Level {
    path: "calibration_parameters",
    keys: &[
        KeySpec {
            name: "cal_data_dir",
            value: text(),
            default: None,
            doc: Doc {
                en: "Folder(s) of calibration samples, one per input, `;`-separated. Needed unless `calibration_type` is `skip` or `load`; without it OE 3.x skips calibration.",
                zh: "校准数据目录，每个输入一个，以 `;` 分隔。除 `calibration_type` 为 `skip` 或 `load` 外必须配置；OE 3.x 未配置时跳过校准。",
            },
        },
        KeySpec {
            name: "cal_data_type",
            value: one_of(&["float32", "uint8"], &["int8", "int16", "int32"]),
            default: None,
            doc: Doc {
                en: "OE 1.x: element type of the binary calibration files, `float32` or `uint8`; when missing it is guessed from the folder name (`_f32` = float32). OE 3.x ignores it and reads `.npy` files.",
                zh: "OE 1.x：二进制校准文件的数据类型，`float32` 或 `uint8`；未配置时根据目录名后缀判断（`_f32` 为 float32）。OE 3.x 忽略此项，使用 `.npy` 文件。",
            },
        },
        KeySpec {
            name: "calibration_type",
            value: one_of(&["default", "kl", "max", "skip", "load"], &["mix"]),
            default: None,
            doc: Doc {
                en: "Calibration method: `default` (automatic search), `kl`, `max`, `skip` (random data: checks structure and speed, not precision) or `load` (scales from a QAT model, OE 1.x). `mix` is an OE 1.x method, deprecated in OE 3.x.",
                zh: "校准方法：`default`（自动搜索）、`kl`、`max`、`skip`（使用随机数据，只能验证结构与性能，不能评估精度）或 `load`（使用 QAT 模型导出的参数，OE 1.x）。`mix` 为 OE 1.x 的方法，OE 3.x 中已废弃。",
            },
        },
        KeySpec {
            name: "preprocess_on",
            value: boolean(),
            default: Some("false"),
            doc: Doc {
                en: "OE 1.x: read the calibration samples as images (jpg, png, …) and resize them to the input size; only for 4-D image inputs. OE 3.x ignores it.",
                zh: "OE 1.x：将校准样本作为图片（jpg、png 等）读取并缩放到输入尺寸，仅适用于四维图像输入。OE 3.x 中不起作用。",
            },
        },
        KeySpec {
            name: "per_channel",
            value: boolean(),
            default: Some("false"),
            doc: Doc {
                en: "Calibrate each channel of a feature map separately instead of the whole tensor. In OE 1.x it has no effect with `calibration_type: default`.",
                zh: "是否对特征图的每个通道分别校准（默认按整个张量）。OE 1.x 中 `calibration_type` 为 `default` 时不起作用。",
            },
        },
        KeySpec {
            name: "max_percentile",
            value: float(at(0.0), at(1.0)),
            default: Some("1.0"),
            doc: Doc {
                en: "For `max` calibration: the percentile taken as the maximum, from 0 to 1 (e.g. 0.99999). Other methods ignore it.",
                zh: "`max` 校准参数：作为最大值的分位数，取值 0 到 1（如 0.99999）。其他校准方法忽略此项。",
            },
        },
        KeySpec {
            name: "run_on_cpu",
            value: text(),
            default: None,
            doc: Doc {
                en: "Node names, `;`-separated, forced to run on the CPU in float. On RDK X5 / Ultra, `node_info` with `ON: CPU` replaces it.",
                zh: "以 `;` 分隔的节点名，强制在 CPU 上以浮点运行。在 RDK X5 / Ultra 上可改用 `node_info` 的 `ON: CPU`。",
            },
        },
        KeySpec {
            name: "run_on_bpu",
            value: text(),
            default: None,
            doc: Doc {
                en: "Node names, `;`-separated, forced to run on the BPU even where the tool would keep them on the CPU. On RDK X5 / Ultra, `node_info` with `ON: BPU` replaces it.",
                zh: "以 `;` 分隔的节点名，强制在 BPU 上运行（即使工具本会将其放在 CPU 上）。在 RDK X5 / Ultra 上可改用 `node_info` 的 `ON: BPU`。",
            },
        },
        KeySpec {
            name: "optimization",
            value: text(),
            default: None,
            doc: Doc {
                en: "Quantization switches separated by `,` or `;`: `set_model_output_int8`, `set_model_output_int16`, `set_all_nodes_int16`, `set_<OpType>_input_<dtype>` / `set_<OpType>_output_<dtype>` (e.g. `set_Softmax_input_int8`), `asymmetric`, `bias_correction`, `run_fast`.",
                zh: "以 `,` 或 `;` 分隔的量化开关：`set_model_output_int8`、`set_model_output_int16`、`set_all_nodes_int16`、`set_<算子类型>_input_<类型>` / `set_<算子类型>_output_<类型>`（如 `set_Softmax_input_int8`）、`asymmetric`、`bias_correction`、`run_fast`。",
            },
        },
        KeySpec {
            name: "quant_config",
            value: ValueSpec::AnyObject,
            default: None,
            doc: Doc {
                en: "OE 3.x: the quant_config, as the path of its JSON file (relative to this YAML), written inline as a mapping, or null / `{}` for none.",
                zh: "OE 3.x：量化配置 quant_config，可以是其 JSON 文件路径（相对于本 YAML）、直接内联的映射，或用 null / `{}` 表示不使用。",
            },
        },
    ],
    legacy: &[],
    open: true,
};

pub static HB_COMPILER_PARAMETERS: Level = Level {
    path: "compiler_parameters",
    keys: &[
        KeySpec {
            name: "compile_mode",
            value: one_of(&["latency", "bandwidth", "balance"], NO_VALUES),
            default: Some("\"latency\""),
            doc: Doc {
                en: "What the compiler optimizes for: `latency` (inference time), `bandwidth` (DDR traffic) or, in OE 3.x, `balance` (weighed by `balance_factor`).",
                zh: "编译优化目标：`latency`（推理时间）、`bandwidth`（DDR 带宽）或 OE 3.x 的 `balance`（由 `balance_factor` 权衡）。",
            },
        },
        KeySpec {
            name: "debug",
            value: boolean(),
            default: None,
            doc: Doc {
                en: "Keep per-layer debug and performance information in the compiled model. Defaults to true in OE 3.x and to false in OE 1.x.",
                zh: "是否在编译后的模型中保留逐层调试与性能信息。OE 3.x 默认开启，OE 1.x 默认关闭。",
            },
        },
        KeySpec {
            name: "optimize_level",
            value: one_of(&["O0", "O1", "O2", "O3"], NO_VALUES),
            default: Some("\"O2\""),
            doc: Doc {
                en: "Compiler optimization level, from `O0` (none, fastest to compile) up. OE 3.x takes `O0`–`O2` (default `O2`); OE 1.x also takes `O3`, the level to use for the final model there.",
                zh: "编译优化级别，`O0` 不优化、编译最快，级别越高优化越多。OE 3.x 支持 `O0`–`O2`（默认 `O2`）；OE 1.x 还支持 `O3`，最终模型应使用该级别。",
            },
        },
        KeySpec {
            name: "ability_entry",
            value: text(),
            default: None,
            doc: Doc {
                en: "OE 3.x: the compiler's ability-entry setting, a string passed on as given.",
                zh: "OE 3.x：编译器的能力入口参数，字符串，原样传给编译器。",
            },
        },
        KeySpec {
            name: "core_num",
            value: int(at(1.0), at(4.0)),
            default: Some("1"),
            doc: Doc {
                en: "Number of BPU cores one inference runs on: 1 on nash-e, nash-m, nash-b and RDK X5, up to 2 on RDK X3, up to 4 on nash-h, nash-p and nash-starry-p.",
                zh: "单次推理使用的 BPU 核数：nash-e、nash-m、nash-b 及 RDK X5 上为 1，RDK X3 上最多为 2，nash-h、nash-p、nash-starry-p 上最多为 4。",
            },
        },
        KeySpec {
            name: "max_time_per_fc",
            value: int(at(0.0), at(4_294_967_295.0)),
            default: Some("0"),
            doc: Doc {
                en: "Longest time one function call may hold the BPU, after which the model can be pre-empted: 0 (no limit) or at least 1000.",
                zh: "单个 function call 占用 BPU 的最长时间，超过后模型可被抢占：0 表示不限制，否则不小于 1000。",
            },
        },
        KeySpec {
            name: "jobs",
            value: int(at(1.0), None),
            default: Some("16"),
            doc: Doc {
                en: "Number of processes compiling in parallel; at most the machine's cores.",
                zh: "并行编译的进程数，不宜超过机器的核数。",
            },
        },
        KeySpec {
            name: "input_source",
            value: ValueSpec::AnyObject,
            default: Some("{}"),
            doc: Doc {
                en: "Where each input's data comes from on the board, keyed by input name: `ddr` (memory), `pyramid` or `resizer` (hardware). When missing it follows `input_type_rt` (`pyramid` for `nv12`/`gray`, `ddr` otherwise).",
                zh: "上板时各输入数据的来源，以输入名为键：`ddr`（内存）、`pyramid` 或 `resizer`（硬件）。未配置时根据 `input_type_rt` 选择（`nv12`/`gray` 为 `pyramid`，其他为 `ddr`）。",
            },
        },
        KeySpec {
            name: "advice",
            value: float(None, None),
            default: Some("0.0"),
            doc: Doc {
                en: "OE 3.x: a number passed to the compiler's advice option.",
                zh: "OE 3.x：传给编译器 advice 选项的数值。",
            },
        },
        KeySpec {
            name: "balance_factor",
            value: int(at(0.0), at(100.0)),
            default: None,
            doc: Doc {
                en: "OE 3.x: with `compile_mode: balance`, how much bandwidth weighs against latency, 0–100 (required then). `latency` sets 100 and `bandwidth` 0 on their own.",
                zh: "OE 3.x：`compile_mode` 为 `balance` 时带宽与延迟的权衡系数，取值 0–100（此时必填）。`latency` 与 `bandwidth` 模式分别自动取 100 和 0。",
            },
        },
        KeySpec {
            name: "hbdk3_compatible_mode",
            value: boolean(),
            default: Some("false"),
            doc: Doc {
                en: "OE 3.x: deprecated and ignored.",
                zh: "OE 3.x：已废弃，不起作用。",
            },
        },
        KeySpec {
            name: "extra_params",
            value: ValueSpec::AnyObject,
            default: Some("{}"),
            doc: Doc {
                en: "OE 3.x: further compiler options as a mapping, e.g. `input_no_padding: true`, `output_no_padding: true`.",
                zh: "OE 3.x：其他编译器选项，写成映射，例如 `input_no_padding: true`、`output_no_padding: true`。",
            },
        },
        KeySpec {
            name: "cache_path",
            value: text(),
            default: Some("\"\""),
            doc: Doc {
                en: "OE 3.x: folder of the compile cache; required when `cache_mode` is not `disable`.",
                zh: "OE 3.x：编译缓存目录；`cache_mode` 不为 `disable` 时必填。",
            },
        },
        KeySpec {
            name: "cache_mode",
            value: one_of(&["enable", "force_overwrite", "disable"], NO_VALUES),
            default: Some("\"disable\""),
            doc: Doc {
                en: "OE 3.x: compile cache: `disable`, `enable` (reuse the cache in `cache_path`) or `force_overwrite` (rebuild it).",
                zh: "OE 3.x：编译缓存模式：`disable`、`enable`（复用 `cache_path` 中的缓存）或 `force_overwrite`（强制重建缓存）。",
            },
        },
        KeySpec {
            name: "max_l2m_size",
            value: int(at(0.0), at(25_165_824.0)),
            default: Some("0"),
            doc: Doc {
                en: "OE 3.x: the most L2M memory the model may use, in bytes, 0–25165824 (24 MiB); 0 or null means no limit. Not supported on nash-b, nash-e or nash-m.",
                zh: "OE 3.x：模型可使用的 L2M 内存上限（字节），取值 0–25165824（24 MiB）；0 或 null 表示不限制。nash-b、nash-e、nash-m 不支持此项。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

pub static HB_CUSTOM_OP: Level = Level {
    path: "custom_op",
    keys: &[
        KeySpec {
            name: "op_register_files",
            value: text(),
            default: None,
            doc: Doc {
                en: "Python files implementing the custom operators, `;`-separated.",
                zh: "实现自定义算子的 Python 文件，以 `;` 分隔。",
            },
        },
        KeySpec {
            name: "custom_op_method",
            value: one_of(&["register"], NO_VALUES),
            default: None,
            doc: Doc {
                en: "How custom operators are supplied; only `register` exists.",
                zh: "自定义算子的接入方式，目前只有 `register`。",
            },
        },
        KeySpec {
            name: "custom_op_dir",
            value: text(),
            default: None,
            doc: Doc {
                en: "Folder holding `op_register_files`, as a relative path.",
                zh: "存放 `op_register_files` 的目录，使用相对路径。",
            },
        },
    ],
    legacy: &[],
    open: false,
};

/// One entry of `model_parameters.node_info` (its key is a node name).
pub static NODE_INFO_ENTRY: Level = Level {
    path: "model_parameters.node_info.<node name>",
    keys: &[
        KeySpec {
            name: "ON",
            value: one_of(&["CPU", "BPU"], NO_VALUES),
            default: None,
            doc: Doc {
                en: "Where the node runs: `CPU` (in float) or `BPU` (quantized).",
                zh: "节点的运行位置：`CPU`（浮点计算）或 `BPU`（量化计算）。",
            },
        },
        KeySpec {
            name: "InputType",
            value: one_of(NODE_DTYPES, NO_VALUES),
            default: None,
            doc: Doc {
                en: "Data type of all the node's inputs, e.g. `int16`.",
                zh: "节点所有输入的数据类型，例如 `int16`。",
            },
        },
        KeySpec {
            name: "InputType0",
            value: one_of(NODE_DTYPES, NO_VALUES),
            default: None,
            doc: Doc {
                en: "Data type of the node's first input; `InputType1`, `InputType2`, … name the next ones.",
                zh: "节点第一个输入的数据类型；`InputType1`、`InputType2`……依次对应后续输入。",
            },
        },
        KeySpec {
            name: "InputType1",
            value: one_of(NODE_DTYPES, NO_VALUES),
            default: None,
            doc: Doc {
                en: "Data type of the node's second input.",
                zh: "节点第二个输入的数据类型。",
            },
        },
        KeySpec {
            name: "OutputType",
            value: one_of(NODE_DTYPES, NO_VALUES),
            default: None,
            doc: Doc {
                en: "Data type of all the node's outputs; there is no per-output form (`OutputType0` does not exist).",
                zh: "节点所有输出的数据类型；不支持按单个输出配置（没有 `OutputType0`）。",
            },
        },
    ],
    legacy: &[],
    open: false,
};
