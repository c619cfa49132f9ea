package dev.jgrad.conformance;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads {@code loss-conformance/1} case files (see {@code FORMAT.md}) into {@link CaseFile}s and
 * {@link ConformanceCase}s, using Jackson databind.
 *
 * <p>Reading is strict, so that a malformed file cannot silently drop checks: the top-level
 * {@code format} must equal {@value CaseFile#FORMAT} (checked before anything else; the error names
 * the file); unknown or duplicate fields, missing fields, JSON {@code null} where a value is required,
 * scalar coercions (e.g. a number where a string is expected), data/shape length mismatches, strings
 * other than {@code "nan"}, {@code "inf"}, {@code "-inf"} in floating data, and non-integers in
 * {@code int64} data are all rejected with a {@link CaseFormatException} naming the file and case.
 * The case invariants of {@link ConformanceCase.Builder#build()} are checked too.
 *
 * <p>Floating data is converted from the number's source text with {@link Double#parseDouble(String)}
 * (so {@code -0.0} keeps its sign and float32 decimals cast exactly to their float); option numbers
 * become {@link Long} (JSON integers) or {@link Double} (parsed from the text the same way).
 *
 * <p>All methods are static and thread-safe.
 */
public final class CaseReader {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, cfg -> cfg
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private CaseReader() {
    }

    /**
     * Reads one case file.
     *
     * @param file a {@code .json} case file
     * @return the parsed file, with {@link CaseFile#source()} set to {@code file}
     * @throws CaseFormatException if the file is not a valid {@code loss-conformance/1} file
     * @throws IOException         if it cannot be read
     */
    public static CaseFile readFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return parse(bytes, file.toString(), file);
    }

    /**
     * Reads one case file from a stream (e.g. a classpath resource). The stream is read fully but not
     * closed.
     *
     * @param in         the JSON bytes (UTF-8)
     * @param sourceName name used in error messages
     * @return the parsed file, without a {@link CaseFile#source()}
     * @throws CaseFormatException if the content is not a valid {@code loss-conformance/1} file
     * @throws IOException         if the stream cannot be read
     */
    public static CaseFile read(InputStream in, String sourceName) throws IOException {
        return parse(in.readAllBytes(), sourceName, null);
    }

    /**
     * Reads a single file, or every {@code *.json} file under a directory (recursively), in order of
     * their relative paths ({@code /}-separated, compared as strings).
     *
     * @param fileOrDirectory a case file or a directory of case files
     * @return the files in that order
     * @throws NoSuchFileException if the path does not exist
     * @throws CaseFormatException if a file is invalid, or a directory holds no {@code *.json} file
     * @throws IOException         on read errors
     */
    public static List<CaseFile> readFiles(Path fileOrDirectory) throws IOException {
        if (!Files.exists(fileOrDirectory)) {
            throw new NoSuchFileException(fileOrDirectory.toString(), null, "no such conformance case file or directory");
        }
        if (!Files.isDirectory(fileOrDirectory)) {
            return List.of(readFile(fileOrDirectory));
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(fileOrDirectory)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted(Comparator.comparing(p -> relativeName(fileOrDirectory, p)))
                    .collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            throw new CaseFormatException("no *.json conformance case files under " + fileOrDirectory);
        }
        List<CaseFile> out = new ArrayList<>(files.size());
        for (Path f : files) {
            out.add(readFile(f));
        }
        return out;
    }

    /**
     * Reads all cases of a file or directory (see {@link #readFiles(Path)}), concatenated in file
     * order, and checks that case names are unique across the whole set.
     *
     * @param fileOrDirectory a case file or a directory of case files
     * @return the cases; unmodifiable
     * @throws CaseFormatException if a file is invalid or a case name occurs twice (both places named)
     * @throws IOException         on read errors
     */
    public static List<ConformanceCase> readCases(Path fileOrDirectory) throws IOException {
        List<ConformanceCase> all = new ArrayList<>();
        Map<String, String> firstSeen = new HashMap<>();
        for (CaseFile f : readFiles(fileOrDirectory)) {
            String where = f.source().map(Path::toString).orElse(f.reference());
            for (ConformanceCase c : f.cases()) {
                String previous = firstSeen.putIfAbsent(c.name(), where);
                if (previous != null) {
                    throw new CaseFormatException("duplicate case name '" + c.name() + "' in " + where
                            + " (first seen in " + previous + ")");
                }
                all.add(c);
            }
        }
        return List.copyOf(all);
    }

    private static String relativeName(Path root, Path p) {
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(p)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ parsing

    private static CaseFile parse(byte[] bytes, String sourceName, Path source) throws CaseFormatException {
        String prefix = "conformance case file " + sourceName + ": ";
        checkFormat(bytes, prefix);
        RawFile raw;
        try {
            raw = MAPPER.readValue(bytes, RawFile.class);
        } catch (IOException e) {
            throw new CaseFormatException(prefix + "invalid JSON structure: " + e.getMessage(), e);
        }
        if (raw == null) {
            throw new CaseFormatException(prefix + "empty document");
        }
        if (raw.reference == null) {
            throw new CaseFormatException(prefix + "missing \"reference\"");
        }
        if (raw.cases == null) {
            throw new CaseFormatException(prefix + "missing \"cases\"");
        }
        List<ConformanceCase> cases = new ArrayList<>(raw.cases.size());
        for (int i = 0; i < raw.cases.size(); i++) {
            RawCase rc = raw.cases.get(i);
            String where = prefix + "case #" + i + (rc != null && rc.name != null ? " '" + rc.name + "'" : "") + ": ";
            if (rc == null) {
                throw new CaseFormatException(where + "null case");
            }
            try {
                cases.add(toCase(rc));
            } catch (IllegalArgumentException e) {
                throw new CaseFormatException(where + e.getMessage(), e);
            }
        }
        return new CaseFile(raw.format, raw.reference, cases, source);
    }

    /** Looks only at the top-level "format" field, so a wrong format is reported before anything else. */
    private static void checkFormat(byte[] bytes, String prefix) throws CaseFormatException {
        try (JsonParser p = MAPPER.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new CaseFormatException(prefix + "top-level value is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("format".equals(field)) {
                    String found = value == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText();
                    if (value != JsonToken.VALUE_STRING || !CaseFile.FORMAT.equals(p.getText())) {
                        throw new CaseFormatException(prefix + "unsupported format " + found
                                + " (expected \"" + CaseFile.FORMAT + "\")");
                    }
                    return;
                }
                p.skipChildren();
            }
            throw new CaseFormatException(prefix + "missing \"format\" field (expected \"" + CaseFile.FORMAT + "\")");
        } catch (CaseFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new CaseFormatException(prefix + "invalid JSON: " + e.getMessage(), e);
        }
    }

    private static ConformanceCase toCase(RawCase rc) {
        require(rc.name != null, "missing \"name\"");
        require(rc.op != null, "missing \"op\"");
        require(rc.dtype != null, "missing \"dtype\"");
        require(rc.inputs != null, "missing \"inputs\"");
        require(rc.options != null, "missing \"options\"");
        require(rc.requiresGrad != null, "missing \"requires_grad\"");
        require(rc.output != null, "missing \"output\"");
        require(rc.gradOutput != null, "missing \"grad_output\"");
        require(rc.grads != null, "missing \"grads\"");
        require(rc.tol != null, "missing \"tol\"");
        require(rc.tol.rtol != null && rc.tol.atol != null, "\"tol\" needs \"rtol\" and \"atol\"");

        ConformanceCase.Builder b = ConformanceCase.builder(rc.name, rc.op, rc.dtype);
        for (Map.Entry<String, RawTensor> e : rc.inputs.entrySet()) {
            b.input(e.getKey(), toTensor(e.getValue(), "inputs." + e.getKey()));
        }
        for (Map.Entry<String, Object> e : rc.options.entrySet()) {
            Object v = e.getValue();
            b.option(e.getKey(), v instanceof RawTensor ? toTensor((RawTensor) v, "options." + e.getKey()) : v);
        }
        for (String r : rc.requiresGrad) {
            require(r != null, "null entry in \"requires_grad\"");
        }
        for (Map.Entry<String, RawTensor> e : rc.grads.entrySet()) {
            b.grad(e.getKey(), toTensor(e.getValue(), "grads." + e.getKey()));
        }
        b.requiresGrad(rc.requiresGrad);
        b.output(toTensor(rc.output, "output"));
        b.gradOutput(toTensor(rc.gradOutput, "grad_output"));
        b.tolerance(rc.tol.rtol, rc.tol.atol);
        b.note(rc.note);
        return b.build();
    }

    private static CaseTensor toTensor(RawTensor t, String what) {
        require(t != null, what + " is null");
        String where = what + ": ";
        require(t.dtype != null, where + "missing \"dtype\"");
        require(t.shape != null, where + "missing \"shape\"");
        require(t.texts != null, where + "missing \"data\"");
        int n = t.texts.length;
        try {
            if (CaseTensor.INT64.equals(t.dtype)) {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    require(t.kinds[i] == RawTensor.INTEGER, where + "int64 data element " + i
                            + " is not an integer: " + t.texts[i]);
                    values[i] = Long.parseLong(t.texts[i]);
                }
                return CaseTensor.ofLongs(t.shape, values);
            }
            require(CaseTensor.isFloatingDtype(t.dtype), where + "unknown dtype \"" + t.dtype + "\"");
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                String s = t.texts[i];
                if (t.kinds[i] == RawTensor.STRING) {
                    switch (s) {
                        case "nan": values[i] = Double.NaN; break;
                        case "inf": values[i] = Double.POSITIVE_INFINITY; break;
                        case "-inf": values[i] = Double.NEGATIVE_INFINITY; break;
                        default:
                            throw new IllegalArgumentException(where + "data element " + i + " is the string \"" + s
                                    + "\" (only \"nan\", \"inf\", \"-inf\" are allowed)");
                    }
                } else {
                    values[i] = Double.parseDouble(s);
                }
            }
            return CaseTensor.ofDoubles(t.dtype, t.shape, values);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "bad number: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    // ------------------------------------------------------------------ Jackson binding types

    /** Top level of a case file. */
    static final class RawFile {
        @JsonProperty("format")
        public String format;
        @JsonProperty("reference")
        public String reference;
        @JsonProperty("cases")
        public List<RawCase> cases;
    }

    /** One case as written in the file, before validation. */
    static final class RawCase {
        @JsonProperty("name")
        public String name;
        @JsonProperty("op")
        public String op;
        @JsonProperty("dtype")
        public String dtype;
        @JsonProperty("inputs")
        public LinkedHashMap<String, RawTensor> inputs;
        @JsonProperty("options")
        @JsonDeserialize(contentUsing = OptionValueDeserializer.class)
        public LinkedHashMap<String, Object> options;
        @JsonProperty("requires_grad")
        public List<String> requiresGrad;
        @JsonProperty("output")
        public RawTensor output;
        @JsonProperty("grad_output")
        public RawTensor gradOutput;
        @JsonProperty("grads")
        public LinkedHashMap<String, RawTensor> grads;
        @JsonProperty("tol")
        public RawTol tol;
        @JsonProperty("note")
        public String note;
    }

    /** The tolerance object. */
    static final class RawTol {
        @JsonProperty("rtol")
        public Double rtol;
        @JsonProperty("atol")
        public Double atol;
    }

    /**
     * A tensor object with its data kept as source text, so floating values can be parsed exactly
     * once the dtype is known (JSON field order is free).
     */
    @JsonDeserialize(using = RawTensorDeserializer.class)
    static final class RawTensor {
        static final byte INTEGER = 0;
        static final byte FRACTION = 1;
        static final byte STRING = 2;

        String dtype;
        int[] shape;
        String[] texts;
        byte[] kinds;
    }

    /** Reads {@code {"dtype": ..., "shape": [...], "data": [...]}} keeping number text. */
    static final class RawTensorDeserializer extends StdDeserializer<RawTensor> {
        private static final long serialVersionUID = 1L;

        RawTensorDeserializer() {
            super(RawTensor.class);
        }

        @Override
        public RawTensor deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String field;
            if (p.isExpectedStartObjectToken()) {
                field = p.nextFieldName();
            } else if (p.currentToken() == JsonToken.FIELD_NAME) {
                field = p.currentName();
            } else if (p.currentToken() == JsonToken.END_OBJECT) {
                field = null;
            } else {
                return ctxt.reportInputMismatch(this, "tensor must be a JSON object, got %s", p.currentToken());
            }
            RawTensor t = new RawTensor();
            for (; field != null; field = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (field) {
                    case "dtype":
                        if (value != JsonToken.VALUE_STRING) {
                            return ctxt.reportInputMismatch(this, "tensor \"dtype\" must be a string, got %s", value);
                        }
                        t.dtype = p.getText();
                        break;
                    case "shape":
                        t.shape = readShape(p, ctxt, value);
                        break;
                    case "data":
                        readData(p, ctxt, value, t);
                        break;
                    default:
                        return ctxt.reportInputMismatch(this, "unknown tensor field \"%s\" (expected dtype, shape, data)", field);
                }
            }
            return t;
        }

        private int[] readShape(JsonParser p, DeserializationContext ctxt, JsonToken value) throws IOException {
            if (value != JsonToken.START_ARRAY) {
                return ctxt.reportInputMismatch(this, "tensor \"shape\" must be an array, got %s", value);
            }
            List<Integer> dims = new ArrayList<>();
            for (JsonToken tok = p.nextToken(); tok != JsonToken.END_ARRAY; tok = p.nextToken()) {
                if (tok != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                    return ctxt.reportInputMismatch(this, "shape entries must be ints, got %s", p.getText());
                }
                int d = p.getIntValue();
                if (d < 0) {
                    return ctxt.reportInputMismatch(this, "negative dimension %d in shape", d);
                }
                dims.add(d);
            }
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }

        private void readData(JsonParser p, DeserializationContext ctxt, JsonToken value, RawTensor t) throws IOException {
            if (value != JsonToken.START_ARRAY) {
                ctxt.reportInputMismatch(this, "tensor \"data\" must be a flat array, got %s", value);
                return;
            }
            List<String> texts = new ArrayList<>();
            StringBuilder kinds = new StringBuilder();
            for (JsonToken tok = p.nextToken(); tok != JsonToken.END_ARRAY; tok = p.nextToken()) {
                byte kind;
                if (tok == JsonToken.VALUE_NUMBER_INT) {
                    kind = RawTensor.INTEGER;
                } else if (tok == JsonToken.VALUE_NUMBER_FLOAT) {
                    kind = RawTensor.FRACTION;
                } else if (tok == JsonToken.VALUE_STRING) {
                    kind = RawTensor.STRING;
                } else {
                    ctxt.reportInputMismatch(this, "tensor data entries must be numbers or strings, got %s "
                            + "(data must be flat, row-major)", tok);
                    return;
                }
                texts.add(p.getText());
                kinds.append((char) kind);
            }
            t.texts = texts.toArray(new String[0]);
            t.kinds = new byte[kinds.length()];
            for (int i = 0; i < t.kinds.length; i++) {
                t.kinds[i] = (byte) kinds.charAt(i);
            }
        }
    }

    /**
     * An option value: tensor object, integer ({@link Long}), other number ({@link Double} parsed from
     * its text), boolean or string. JSON {@code null} never reaches this deserializer (Jackson stores
     * {@code null} in the map directly).
     */
    static final class OptionValueDeserializer extends StdDeserializer<Object> {
        private static final long serialVersionUID = 1L;
        private final RawTensorDeserializer tensors = new RawTensorDeserializer();

        OptionValueDeserializer() {
            super(Object.class);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken tok = p.currentToken();
            switch (tok) {
                case START_OBJECT:
                case FIELD_NAME:
                    return tensors.deserialize(p, ctxt);
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return ctxt.reportInputMismatch(this, "integer option %s is out of int64 range", p.getText());
                    }
                    return p.getLongValue();
                case VALUE_NUMBER_FLOAT:
                    return Double.parseDouble(p.getText());
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_STRING:
                    return p.getText();
                case START_ARRAY: {
                    // a list of integers (e.g. dim=[0, 2], a shape, a permutation): a long[]
                    java.util.List<Long> values = new java.util.ArrayList<>();
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            return ctxt.reportInputMismatch(this, "a list-valued option holds only int64 integers, not %s", p.getText());
                        }
                        values.add(p.getLongValue());
                    }
                    long[] out = new long[values.size()];
                    for (int i = 0; i < out.length; i++) out[i] = values.get(i);
                    return out;
                }
                default:
                    return ctxt.reportInputMismatch(this, "unsupported option value %s (expected null, number, "
                            + "boolean, string, list of integers or tensor object)", tok);
            }
        }
    }
}
