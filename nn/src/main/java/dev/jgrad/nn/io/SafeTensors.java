package dev.jgrad.nn.io;


import java.io.BufferedOutputStream;
import java.math.BigInteger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Reads and writes <a href="https://huggingface.co/docs/safetensors">safetensors</a> files.
 *
 * <h2>Layout</h2>
 * <pre>
 * [8 bytes]  N, unsigned 64-bit little-endian: length of the header
 * [N bytes]  UTF-8 JSON header, padded with spaces (0x20) to a multiple of 8 bytes:
 *            {"__metadata__": {"key": "value", ...},
 *             "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 * [rest]     data region: each tensor's elements, row-major, little-endian; offsets are
 *            relative to the first byte after the header and the tensors tile the region
 *            exactly (no gaps, no overlaps, nothing after the last one)
 * </pre>
 * {@link #write} lays tensors out contiguously in the iteration order of the map passed in
 * and puts {@code __metadata__} first; {@link #writePlain} sorts them as the reference writer does.
 * The reader accepts any order of the entries and of the data. Supported dtypes: {@link ElementType F32,
 * F64, F16, BF16, I64, I32}.
 *
 * <h2>Integrity check</h2>
 * Unless disabled, the writer stores {@code "crc32": "<8 lower-case hex digits>"} in
 * {@code __metadata__}: the CRC-32 (as {@link java.util.zip.CRC32}) of the whole data region.
 * The reader verifies it whenever present, so a flipped data byte is reported instead of
 * silently loading wrong weights. It also stores {@code "index_crc32"} ({@value #INDEX_CRC32_KEY}): the CRC-32 of
 * the tensor index, i.e. every tensor's name, dtype, shape and data offsets (see {@link #indexCrc32}), so a damaged
 * name, dimension or offset that still forms a consistent header is reported too. This is a jgrad convention, not
 * part of the format: other safetensors readers see ordinary metadata entries and ignore them. The keys
 * {@value #CRC32_KEY} and {@value #INDEX_CRC32_KEY} are therefore reserved in user metadata, and
 * {@link Contents#metadata()} does not include them. Files written before the index CRC existed (with only
 * {@value #CRC32_KEY}) still load; their index is checked for consistency with the data but not against a CRC.
 *
 * <h2>Limits</h2>
 * The reader bounds the memory a header can make it use by the limits below, checked while the header is read
 * and parsed (never after building what it declares), so a hostile header is a {@link SafeTensorsException} and
 * not an {@link OutOfMemoryError}, even in a small heap:
 * <ul>
 * <li>header bytes: at most {@link #MAX_HEADER_BYTES} (16 MiB; the format itself allows 100 MB, which no jgrad
 *     model comes near: a header entry takes about 100 bytes, so 16 MiB holds over 150,000 tensors);</li>
 * <li>entries: at most {@link #MAX_ENTRIES} tensors, and as many metadata entries;</li>
 * <li>rank: at most {@link #MAX_RANK} dimensions per tensor, each at most {@code 2^31 - 1} (also for a tensor
 *     with no elements); one tensor's data at most {@code 2^31 - 9} bytes;</li>
 * <li>names: tensor names at most {@link #MAX_NAME_LENGTH} characters;</li>
 * <li>JSON values in all: at most {@link #MAX_HEADER_VALUES}.</li>
 * </ul>
 * The writer refuses what the reader would refuse. The data region is read only after the header has been checked
 * against the file's size, so the data's memory is bounded by the file.
 *
 * <h2>Writing</h2>
 * {@link #write} streams each {@link TensorSource} straight to disk (no full in-memory copy),
 * computing the CRC on the way and patching it into a fixed-width placeholder in the header
 * at the end. The file is replaced atomically through {@link AtomicFiles}: a failure or
 * crash at any point leaves the previous file intact.
 *
 * <h2>Reading</h2>
 * {@link #read} validates everything before returning anything, and reports each problem
 * as a {@link SafeTensorsException} naming the file: too short for the length prefix, a
 * header length beyond the file or over {@value #MAX_HEADER_BYTES} bytes, a header that is
 * not UTF-8 or not JSON or does not start with <code>&#123;</code>, duplicate keys, unknown fields,
 * unknown dtypes, bad shapes or offsets, a shape whose byte size differs from its offset
 * span, overlapping or reversed offsets, gaps, offsets beyond the data (truncated file),
 * bytes after the last tensor (trailing garbage), non-string metadata, and a CRC mismatch.
 */
public final class SafeTensors {
    /** The header key holding string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** The metadata key under which the data-region CRC-32 is stored (reserved). */
    public static final String CRC32_KEY = "crc32";
    /** The metadata key under which the CRC-32 of the tensor index (names, dtypes, shapes, offsets) is stored (reserved). */
    public static final String INDEX_CRC32_KEY = "index_crc32";
    /**
     * Largest header read (and written): 16 MiB. The reference implementation allows 100 MB
     * ({@link #FORMAT_MAX_HEADER_BYTES}); a header between the two is refused as over this reader's limit.
     */
    public static final long MAX_HEADER_BYTES = 16L << 20;
    /** The format's own limit on the header length, 100 MB: a length beyond it means the file is not safetensors. */
    public static final long FORMAT_MAX_HEADER_BYTES = 100_000_000L;
    /** Most tensors in one file (and most metadata entries). */
    public static final int MAX_ENTRIES = 65_536;
    /** Most dimensions of one tensor. */
    public static final int MAX_RANK = 32;
    /** Longest tensor name, in characters. */
    public static final int MAX_NAME_LENGTH = 1024;
    /** Most JSON values (objects, arrays, strings, numbers, literals) in one header. */
    public static final int MAX_HEADER_VALUES = 1 << 20;

    private static final int MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;
    private static final String CRC_PLACEHOLDER = "00000000";
    private static final Pattern CRC_PATTERN = Pattern.compile("[0-9a-fA-F]{8}");
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    private SafeTensors() {
    }

    // ================================================================== writing

    /**
     * Writes tensors and metadata atomically, with a CRC-32 of the data region in the
     * metadata.
     *
     * @param file     the file to create or replace
     * @param tensors  tensors by name, laid out in iteration order (use a {@link LinkedHashMap}
     *                 for a defined order); names must be non-empty and not {@value #METADATA_KEY}
     * @param metadata string metadata (may be empty or {@code null}); the key
     *                 {@value #CRC32_KEY} is reserved
     * @throws IllegalArgumentException for a bad name, reserved metadata key or null value
     * @throws IOException              if writing fails or a source writes the wrong number of
     *                                  bytes; the previous file is then left intact
     */
    public static void write(Path file, Map<String, ? extends TensorSource> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, metadata, true);
    }

    /**
     * Writes tensors and metadata atomically.
     *
     * @param file      the file to create or replace
     * @param tensors   tensors by name, laid out in iteration order
     * @param metadata  string metadata (may be empty or {@code null}); {@value #CRC32_KEY} is reserved
     * @param withCrc32 whether to store the data-region CRC-32 in the metadata
     * @throws IllegalArgumentException for a bad name, reserved metadata key or null value
     * @throws IOException              if writing fails; the previous file is then left intact
     */
    public static void write(Path file, Map<String, ? extends TensorSource> tensors, Map<String, String> metadata,
                             boolean withCrc32) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, String> meta = metadata == null ? Map.of() : metadata;

        // Snapshot names, dtypes and shapes first, so that the header cannot disagree with
        // what was validated even if a source's shape() is not stable.
        List<String> names = new ArrayList<>(tensors.size());
        List<TensorSource> sources = new ArrayList<>(tensors.size());
        List<ElementType> dtypes = new ArrayList<>(tensors.size());
        List<long[]> shapes = new ArrayList<>(tensors.size());
        List<long[]> offsets = new ArrayList<>(tensors.size());
        long cursor = 0;
        for (Map.Entry<String, ? extends TensorSource> e : tensors.entrySet()) {
            String name = e.getKey();
            TensorSource src = e.getValue();
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("tensor names must be non-empty");
            }
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' cannot be a tensor name");
            }
            if (name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("tensor name of " + name.length() + " characters is longer than "
                        + MAX_NAME_LENGTH + " (SafeTensors.MAX_NAME_LENGTH): " + name.substring(0, 40) + "...");
            }
            Objects.requireNonNull(src, () -> "tensor '" + name + "' is null");
            ElementType dtype = Objects.requireNonNull(src.dtype(), () -> "tensor '" + name + "' has no dtype");
            long[] shape = Objects.requireNonNull(src.shape(), () -> "tensor '" + name + "' has no shape").clone();
            if (shape.length > MAX_RANK) {
                throw new IllegalArgumentException("tensor '" + name + "': rank " + shape.length + " is over "
                        + MAX_RANK + " (SafeTensors.MAX_RANK)");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(RawTensor.numElements(shape), (long) dtype.byteSize());
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " is too large", ex);
            }
            names.add(name);
            sources.add(src);
            dtypes.add(dtype);
            shapes.add(shape);
            offsets.add(new long[] {cursor, Math.addExact(cursor, bytes)});
            cursor += bytes;
        }
        if (names.size() > MAX_ENTRIES || meta.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(names.size() + " tensors and " + meta.size() + " metadata entries: over the "
                    + MAX_ENTRIES + " (SafeTensors.MAX_ENTRIES) a reader accepts");
        }
        // JSON values as the reader counts them: the root, the metadata object and its strings (and the two CRCs),
        // and per tensor its object, dtype, shape array and dimensions, offsets array and both offsets
        long values = 1 + 1 + meta.size() + 2;
        for (long[] shape : shapes) {
            values += 6 + shape.length;
        }
        if (values > MAX_HEADER_VALUES) {
            throw new IllegalArgumentException("the header would hold " + values + " JSON values, over the " + MAX_HEADER_VALUES
                    + " (SafeTensors.MAX_HEADER_VALUES) a reader accepts");
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("metadata keys and values must be non-null: " + e);
            }
            if (e.getKey().equals(CRC32_KEY) || e.getKey().equals(INDEX_CRC32_KEY)) {
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved for the "
                        + "integrity check written by SafeTensors");
            }
        }

        // Header JSON, remembering where the CRC placeholder's characters start.
        StringBuilder json = new StringBuilder(64 + 96 * names.size());
        json.append('{');
        int crcCharOffset = -1;
        boolean first = true;
        if (!meta.isEmpty() || withCrc32) {
            json.append(quote(METADATA_KEY)).append(":{");
            boolean firstMeta = true;
            for (Map.Entry<String, String> e : meta.entrySet()) {
                if (!firstMeta) {
                    json.append(',');
                }
                json.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                firstMeta = false;
            }
            if (withCrc32) {
                if (!firstMeta) {
                    json.append(',');
                }
                json.append(quote(INDEX_CRC32_KEY)).append(":\"").append(indexCrc32(names, dtypes, shapes, offsets))
                        .append("\",");
                json.append(quote(CRC32_KEY)).append(":\"");
                crcCharOffset = json.length();
                json.append(CRC_PLACEHOLDER).append('"');
            }
            json.append('}');
            first = false;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append(quote(names.get(i))).append(":{\"dtype\":\"").append(dtypes.get(i).name())
                    .append("\",\"shape\":[");
            long[] shape = shapes.get(i);
            for (int d = 0; d < shape.length; d++) {
                json.append(d == 0 ? "" : ",").append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offsets.get(i)[0]).append(',')
                    .append(offsets.get(i)[1]).append("]}");
        }
        json.append('}');
        byte[] jsonBytes = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (jsonBytes.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header would be " + padded + " bytes, over the "
                    + MAX_HEADER_BYTES + "-byte limit");
        }
        byte[] header = Arrays.copyOf(jsonBytes, padded);
        Arrays.fill(header, jsonBytes.length, padded, (byte) ' ');
        long crcBytePosition = crcCharOffset < 0 ? -1
                : 8L + json.substring(0, crcCharOffset).getBytes(StandardCharsets.UTF_8).length;
        long dataLength = cursor;

        AtomicFiles.write(file, ch -> {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            prefix.flip();
            AtomicFiles.writeFully(ch, prefix);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            CRC32 crc = new CRC32();
            OutputStream channelOut = new BufferedOutputStream(new NonClosing(Channels.newOutputStream(ch)), 1 << 16);
            for (int i = 0; i < names.size(); i++) {
                long expected = offsets.get(i)[1] - offsets.get(i)[0];
                CheckedCountingStream counted = new CheckedCountingStream(channelOut, crc, names.get(i), expected);
                sources.get(i).writeData(counted);
                if (counted.count != expected) {
                    throw new IOException(file + ": tensor '" + names.get(i) + "' wrote " + counted.count
                            + " bytes but its shape " + Arrays.toString(shapes.get(i)) + " × " + dtypes.get(i)
                            + " needs " + expected);
                }
            }
            channelOut.flush();
            if (ch.size() != 8L + header.length + dataLength) {
                throw new IOException(file + ": internal error: wrote " + ch.size() + " bytes, expected "
                        + (8L + header.length + dataLength));
            }
            if (crcBytePosition >= 0) {
                byte[] hex = String.format("%08x", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
                AtomicFiles.writeFully(ch, ByteBuffer.wrap(hex), crcBytePosition);
            }
        });
    }

    /**
     * Writes a plain safetensors file byte for byte as the reference implementation
     * ({@code safetensors.torch.save_file(tensors, file, metadata)}) lays it out: no CRC-32, the tensors sorted by
     * decreasing dtype alignment ({@link ElementType#formatRank()}: I64, F64, F32, I32, BF16, F16) and then by name
     * (UTF-8 byte order), compact JSON with {@code __metadata__} first when there is metadata, the header padded
     * with spaces to a multiple of 8 bytes. The write is atomic like {@link #write}.
     *
     * @param file     the file to create or replace
     * @param tensors  tensors by name (their order does not matter)
     * @param metadata string metadata; null or empty writes no {@value #METADATA_KEY} entry (as
     *                 {@code metadata=None}); the key {@value #CRC32_KEY} is reserved
     * @throws IllegalArgumentException for a bad name, reserved metadata key or null value
     * @throws IOException              if writing fails; the previous file is then left intact
     */
    public static void writePlain(Path file, Map<String, ? extends TensorSource> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        List<Map.Entry<String, ? extends TensorSource>> entries = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, ? extends TensorSource> e : entries) {
            if (e.getKey() == null || e.getValue() == null || e.getValue().dtype() == null) {
                throw new IllegalArgumentException("tensor names, tensors and dtypes must be non-null: " + e);
            }
        }
        entries.sort(Comparator.comparingInt((Map.Entry<String, ? extends TensorSource> e) -> -e.getValue().dtype().formatRank())
                .thenComparing(e -> e.getKey().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        Map<String, TensorSource> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends TensorSource> e : entries) {
            ordered.put(e.getKey(), e.getValue());
        }
        write(file, ordered, metadata, false);
    }

    private static String quote(String s) {
        return HeaderJson.quote(s);
    }

    /**
     * The CRC-32 of a tensor index, as 8 lower-case hex digits: over the tensors sorted by name
     * ({@link String#compareTo}), the UTF-8 bytes of {@code name NUL dtype NUL d0,d1,... NUL begin NUL end NUL}. The
     * order of the entries in the header does not matter, so another tool that rewrites the header in another order
     * keeps it valid.
     */
    static String indexCrc32(List<String> names, List<ElementType> dtypes, List<long[]> shapes, List<long[]> offsets) {
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(names::get));
        CRC32 crc = new CRC32();
        StringBuilder b = new StringBuilder();
        for (int i : order) {
            b.setLength(0);
            b.append(names.get(i)).append('\0').append(dtypes.get(i).name()).append('\0');
            long[] shape = shapes.get(i);
            for (int d = 0; d < shape.length; d++) {
                b.append(d == 0 ? "" : ",").append(shape[d]);
            }
            b.append('\0').append(offsets.get(i)[0]).append('\0').append(offsets.get(i)[1]).append('\0');
            crc.update(b.toString().getBytes(StandardCharsets.UTF_8));
        }
        return String.format("%08x", crc.getValue());
    }

    /** Passes bytes through, counting them, updating the CRC and refusing to exceed the declared size. */
    private static final class CheckedCountingStream extends OutputStream {
        private final OutputStream out;
        private final CRC32 crc;
        private final String name;
        private final long limit;
        long count;

        CheckedCountingStream(OutputStream out, CRC32 crc, String name, long limit) {
            this.out = out;
            this.crc = crc;
            this.name = name;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            ensureRoom(1);
            out.write(b);
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureRoom(len);
            out.write(b, off, len);
            crc.update(b, off, len);
            count += len;
        }

        private void ensureRoom(long n) throws IOException {
            if (count + n > limit) {
                throw new IOException("tensor '" + name + "' wrote more than the " + limit
                        + " bytes its shape and dtype allow");
            }
        }

        @Override
        public void close() {
            // the writer owns the underlying stream
        }
    }

    /** Shields the channel from being closed through the stream wrapper. */
    private static final class NonClosing extends OutputStream {
        private final OutputStream out;

        NonClosing(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // leave the channel open; AtomicFiles closes it after fsync
        }
    }

    // ================================================================== reading

    /**
     * Name, dtype, shape and location of one tensor, as declared in a header.
     */
    public static final class TensorInfo {
        private final String name;
        private final ElementType dtype;
        private final long[] shape;
        private final long begin;
        private final long end;

        TensorInfo(String name, ElementType dtype, long[] shape, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }

        /**
         * The tensor's name.
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * The element type.
         *
         * @return the dtype
         */
        public ElementType dtype() {
            return dtype;
        }

        /**
         * The shape.
         *
         * @return a fresh copy of the dimensions
         */
        public long[] shape() {
            return shape.clone();
        }

        /**
         * Start of the tensor's bytes, relative to the data region.
         *
         * @return the begin offset
         */
        public long begin() {
            return begin;
        }

        /**
         * End (exclusive) of the tensor's bytes, relative to the data region.
         *
         * @return the end offset
         */
        public long end() {
            return end;
        }

        /**
         * A short description, e.g. {@code w: F32 [3, 4] @ [0, 48)}.
         *
         * @return the description
         */
        @Override
        public String toString() {
            return name + ": " + dtype + " " + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")";
        }
    }

    /**
     * A validated header: the tensors in data order and the metadata (with the reserved
     * {@value #CRC32_KEY} entry removed).
     */
    public static final class Header {
        private final List<TensorInfo> tensors;
        private final Map<String, String> metadata;
        private final String crc32;
        private final boolean indexVerified;
        private final long headerLength;
        private final long dataLength;

        Header(List<TensorInfo> tensors, Map<String, String> metadata, String crc32, boolean indexVerified,
               long headerLength, long dataLength) {
            this.tensors = tensors;
            this.metadata = metadata;
            this.crc32 = crc32;
            this.indexVerified = indexVerified;
            this.headerLength = headerLength;
            this.dataLength = dataLength;
        }

        /**
         * The tensors, ordered by their position in the data region.
         *
         * @return an unmodifiable list
         */
        public List<TensorInfo> tensors() {
            return tensors;
        }

        /**
         * The metadata without the reserved {@value #CRC32_KEY} entry, in file order.
         *
         * @return an unmodifiable map
         */
        public Map<String, String> metadata() {
            return metadata;
        }

        /**
         * Whether the header carries a data-region CRC-32.
         *
         * @return {@code true} if a {@value #CRC32_KEY} entry is present
         */
        public boolean hasCrc32() {
            return crc32 != null;
        }

        /**
         * Whether the header carried a CRC-32 of its tensor index ({@value #INDEX_CRC32_KEY}), which was then verified
         * (a mismatch fails the read).
         *
         * @return {@code true} if names, dtypes, shapes and offsets were checked against a stored CRC-32
         */
        public boolean indexCrc32Verified() {
            return indexVerified;
        }

        /**
         * The header length N from the 8-byte prefix (including padding).
         *
         * @return N
         */
        public long headerLength() {
            return headerLength;
        }

        /**
         * Size of the data region in bytes.
         *
         * @return the data length
         */
        public long dataLength() {
            return dataLength;
        }
    }

    /** The fully validated contents of a safetensors file. */
    public static final class Contents {
        private final Map<String, RawTensor> tensors;
        private final Map<String, String> metadata;
        private final boolean crc32Verified;
        private final boolean indexCrc32Verified;

        Contents(Map<String, RawTensor> tensors, Map<String, String> metadata, boolean crc32Verified,
                 boolean indexCrc32Verified) {
            this.tensors = tensors;
            this.metadata = metadata;
            this.crc32Verified = crc32Verified;
            this.indexCrc32Verified = indexCrc32Verified;
        }

        /**
         * Whether the file carried a CRC-32 of its tensor index (names, dtypes, shapes, offsets), which was verified.
         *
         * @return {@code true} if the index was checked against a stored CRC-32
         */
        public boolean indexCrc32Verified() {
            return indexCrc32Verified;
        }

        /**
         * All tensors by name, in data-region order (for files written by this class, the
         * order they were written in).
         *
         * @return an unmodifiable map
         */
        public Map<String, RawTensor> tensors() {
            return tensors;
        }

        /**
         * One tensor.
         *
         * @param name its name
         * @return the tensor
         * @throws IllegalArgumentException if there is no such tensor (the message lists the names)
         */
        public RawTensor tensor(String name) {
            RawTensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor '" + name + "'; the file has " + tensors.keySet());
            }
            return t;
        }

        /**
         * The metadata without the reserved {@value #CRC32_KEY} entry, in file order.
         *
         * @return an unmodifiable map
         */
        public Map<String, String> metadata() {
            return metadata;
        }

        /**
         * Whether the file carried a CRC-32 (which was then verified; a mismatch fails the read).
         *
         * @return {@code true} if the data region was checked against a stored CRC-32
         */
        public boolean crc32Verified() {
            return crc32Verified;
        }
    }

    /**
     * Reads and validates only the header (it is checked against the file size, but the data
     * and its CRC are not read).
     *
     * @param file the file
     * @return the header
     * @throws SafeTensorsException if the file is malformed
     * @throws IOException          if it cannot be read
     */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        } catch (SafeTensorsException | java.nio.file.FileSystemException e) {
            throw e; // these name the file
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** An I/O error (a directory, a device error) as an exception naming the file. */
    private static IOException ioError(Path file, IOException e) {
        return new IOException(file + ": cannot be read: " + e.getMessage(), e);
    }

    /**
     * Reads a whole file, validating everything (structure, sizes, layout and, when present,
     * the CRC-32) before returning.
     *
     * @param file the file
     * @return the tensors and metadata
     * @throws SafeTensorsException if the file is malformed, truncated or corrupted
     * @throws IOException          if it cannot be read
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            long dataStart = 8 + header.headerLength;
            CRC32 crc = new CRC32();
            Map<String, RawTensor> out = new LinkedHashMap<>();
            for (TensorInfo info : header.tensors) {
                long length = info.end - info.begin;
                if (length > MAX_TENSOR_BYTES) {
                    throw new SafeTensorsException(file, "tensor '" + info.name + "' has " + length
                            + " bytes; tensors over " + MAX_TENSOR_BYTES + " bytes are not supported by this reader");
                }
                byte[] data = new byte[(int) length];
                ByteBuffer buf = ByteBuffer.wrap(data);
                long pos = dataStart + info.begin;
                while (buf.hasRemaining()) {
                    int r = ch.read(buf, pos);
                    if (r < 0) {
                        throw new SafeTensorsException(file, "truncated: file ended inside tensor '" + info.name
                                + "' (it changed while being read?)");
                    }
                    pos += r;
                }
                crc.update(data);
                out.put(info.name, RawTensor.wrap(info.dtype, info.shape, data));
            }
            if (header.crc32 != null) {
                long stored = Long.parseLong(header.crc32, 16);
                if (stored != crc.getValue()) {
                    throw new SafeTensorsException(file, String.format("data region CRC-32 mismatch: header records "
                            + "%08x but the data hashes to %08x; the file is corrupted", stored, crc.getValue()));
                }
            }
            return new Contents(Collections.unmodifiableMap(out), header.metadata, header.crc32 != null, header.indexVerified);
        } catch (SafeTensorsException | java.nio.file.FileSystemException e) {
            throw e; // these name the file
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafeTensorsException(file, "file is " + size + " bytes, too short for the 8-byte header"
                    + " length that starts a safetensors file");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, prefix, 0);
        long n = prefix.flip().getLong();
        if (n < 0 || n > FORMAT_MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file, "header length " + Long.toUnsignedString(n) + " is absurd (the format's "
                    + "limit is " + FORMAT_MAX_HEADER_BYTES + " bytes); not a safetensors file?");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file, "header length " + n + " is over this reader's limit of "
                    + MAX_HEADER_BYTES + " bytes (SafeTensors.MAX_HEADER_BYTES, 16 MiB); damaged, or not a file jgrad can load");
        }
        if (n > size - 8) {
            throw new SafeTensorsException(file, "header length " + n + " exceeds the " + (size - 8)
                    + " bytes after the length prefix; file truncated or not safetensors");
        }
        if (n == 0) {
            throw new SafeTensorsException(file, "header length is 0; a header must contain at least {}");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBuf, 8);
        headerBuf.flip();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "header is not valid UTF-8", e);
        }
        if (text.charAt(0) != '{') {
            throw new SafeTensorsException(file, "header does not start with '{'");
        }
        Object parsed;
        try {
            parsed = HeaderJson.parse(text, MAX_ENTRIES + 1, MAX_RANK, MAX_HEADER_VALUES);
        } catch (HeaderJson.OverLimit e) {
            throw new SafeTensorsException(file, "header is over a limit of this reader (SafeTensors.MAX_ENTRIES "
                    + MAX_ENTRIES + " entries, MAX_RANK " + MAX_RANK + " dimensions, MAX_HEADER_VALUES " + MAX_HEADER_VALUES
                    + " values): " + e.getMessage(), e);
        } catch (HeaderJson.Duplicate e) {
            throw new SafeTensorsException(file, "header is not valid JSON: " + e.getMessage()
                    + (e.topLevel() ? " (the name '" + e.key() + "' is given twice)" : ""), e);
        } catch (HeaderJson.Malformed e) {
            throw new SafeTensorsException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new SafeTensorsException(file, "header is not a JSON object");
        }
        long dataLength = size - 8 - n;

        Map<String, String> metadata = new LinkedHashMap<>();
        String crc = null, indexCrc = null;
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<?, ?> field : root.entrySet()) {
            String name = (String) field.getKey();
            Object value = field.getValue();
            if (name.equals(METADATA_KEY)) {
                if (!(value instanceof Map<?, ?> meta)) {
                    throw new SafeTensorsException(file, "'" + METADATA_KEY + "' must be an object of strings");
                }
                for (Map.Entry<?, ?> kv : meta.entrySet()) {
                    if (!(kv.getValue() instanceof String str)) {
                        throw new SafeTensorsException(file, "metadata value for '" + kv.getKey()
                                + "' is not a string: " + HeaderJson.describe(kv.getValue()));
                    }
                    if (kv.getKey().equals(CRC32_KEY) || kv.getKey().equals(INDEX_CRC32_KEY)) {
                        if (!CRC_PATTERN.matcher(str).matches()) {
                            throw new SafeTensorsException(file, "metadata '" + kv.getKey() + "' value '"
                                    + (str.length() > 40 ? str.substring(0, 37) + "..." : str) + "' is not 8 hex digits");
                        }
                        if (kv.getKey().equals(CRC32_KEY)) {
                            crc = str;
                        } else {
                            indexCrc = str;
                        }
                    } else {
                        metadata.put((String) kv.getKey(), str);
                    }
                }
                continue;
            }
            infos.add(parseEntry(file, name, value));
        }
        if (infos.size() > MAX_ENTRIES) {
            throw new SafeTensorsException(file, "header declares " + infos.size() + " tensors, over this reader's limit of "
                    + MAX_ENTRIES + " (SafeTensors.MAX_ENTRIES)");
        }

        // Layout: sorted by offsets, the tensors must tile [0, dataLength) exactly.
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong((TensorInfo t) -> t.begin).thenComparingLong(t -> t.end));
        long cursor = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.end > dataLength) {
                throw new SafeTensorsException(file, "tensor '" + t.name + "' data_offsets [" + t.begin + ", " + t.end
                        + "] extend past the end of the " + dataLength + "-byte data region; file truncated?");
            }
            if (t.begin < cursor) {
                throw new SafeTensorsException(file, "tensor '" + t.name + "' data_offsets [" + t.begin + ", " + t.end
                        + "] overlap tensor '" + previous.name + "' [" + previous.begin + ", " + previous.end + "]");
            }
            if (t.begin > cursor) {
                throw new SafeTensorsException(file, "bytes [" + cursor + ", " + t.begin + ") of the data region "
                        + "belong to no tensor (gap before tensor '" + t.name + "')");
            }
            cursor = t.end;
            previous = t;
        }
        if (cursor != dataLength) {
            throw new SafeTensorsException(file, "trailing garbage: " + (dataLength - cursor) + " bytes after the "
                    + "last tensor's data (data region is " + dataLength + " bytes, tensors cover " + cursor + ")");
        }
        if (indexCrc != null) {
            List<String> names = new ArrayList<>(infos.size());
            List<ElementType> dtypes = new ArrayList<>(infos.size());
            List<long[]> shapes = new ArrayList<>(infos.size());
            List<long[]> offsets = new ArrayList<>(infos.size());
            for (TensorInfo t : infos) {
                names.add(t.name);
                dtypes.add(t.dtype);
                shapes.add(t.shape);
                offsets.add(new long[] {t.begin, t.end});
            }
            String actual = indexCrc32(names, dtypes, shapes, offsets);
            if (Long.parseLong(indexCrc, 16) != Long.parseLong(actual, 16)) {
                throw new SafeTensorsException(file, "tensor index CRC-32 mismatch: the header records " + indexCrc
                        + " but its names, dtypes, shapes and offsets hash to " + actual + "; the header is damaged");
            }
        }
        return new Header(Collections.unmodifiableList(sorted), Collections.unmodifiableMap(metadata), crc,
                indexCrc != null, n, dataLength);
    }

    private static TensorInfo parseEntry(Path file, String name, Object entry) throws SafeTensorsException {
        if (name.length() > MAX_NAME_LENGTH) {
            throw new SafeTensorsException(file, "tensor name of " + name.length() + " characters ('" + name.substring(0, 40)
                    + "...') is longer than this reader's limit of " + MAX_NAME_LENGTH + " (SafeTensors.MAX_NAME_LENGTH)");
        }
        String where = "tensor '" + name + "'";
        if (!(entry instanceof Map<?, ?> value)) {
            throw new SafeTensorsException(file, where + ": entry must be an object with dtype, shape and data_offsets");
        }
        for (Object key : value.keySet()) {
            if (!ENTRY_FIELDS.contains(key)) {
                throw new SafeTensorsException(file, where + ": unexpected field '" + key + "'");
            }
        }
        if (!(value.get("dtype") instanceof String dtypeName)) {
            throw new SafeTensorsException(file, where + ": missing or non-string 'dtype'");
        }
        ElementType dtype;
        try {
            dtype = ElementType.fromName(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file, where + ": " + e.getMessage());
        }
        long[] shape = longArray(file, where, "shape", value.get("shape"), -1);
        long[] offsets = longArray(file, where, "data_offsets", value.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafeTensorsException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] are out of order (end before begin)");
        }
        long needed;
        try {
            needed = Math.multiplyExact(RawTensor.numElements(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(file, where + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (needed != end - begin) {
            throw new SafeTensorsException(file, where + ": shape " + Arrays.toString(shape) + " × " + dtype
                    + " needs " + needed + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, where + ": dimension " + d + " of shape " + Arrays.toString(shape)
                        + " is over 2^31 - 1, which no jgrad tensor can have");
            }
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longArray(Path file, String where, String field, Object value, int requiredLength)
            throws SafeTensorsException {
        if (!(value instanceof List<?> node)) {
            throw new SafeTensorsException(file, where + ": missing or non-array '" + field + "'");
        }
        if (requiredLength >= 0 && node.size() != requiredLength) {
            throw new SafeTensorsException(file, where + ": '" + field + "' must have " + requiredLength
                    + " elements, has " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = node.get(i);
            if (!(v instanceof BigInteger n) || n.bitLength() > 63 || n.signum() < 0) {
                throw new SafeTensorsException(file, where + ": '" + field + "' element " + HeaderJson.describe(v)
                        + " is not a non-negative 64-bit integer");
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new SafeTensorsException(file, "truncated: unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }
}
