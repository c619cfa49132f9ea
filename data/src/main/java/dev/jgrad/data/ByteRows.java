package dev.jgrad.data;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Converts runs of unsigned bytes to floats as {@link Tabular}'s byte-backed form defines them: value
 * {@code (float) ((b & 0xFF) * scale)}, the product taken in double and rounded once to float. Two bit-identical
 * implementations: a 256-entry table lookup, and a Vector API one (byte → int → double, multiply, → float) used
 * when {@code jdk.incubator.vector} is present, about twice as fast on the batch gathers of a training loop.
 */
abstract class ByteRows {
    /** The implementation in use. */
    static final ByteRows INSTANCE = select();

    private static ByteRows select() {
        String kernels = System.getProperty("jgrad.kernels");
        if ((kernels != null && kernels.trim().equalsIgnoreCase("scalar"))
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Table();
        }
        try {
            // by name: only the nested class links against the incubator module
            return (ByteRows) Class.forName(ByteRows.class.getName() + "$Vectorized").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new Table();
        }
    }

    /**
     * Writes {@code dst[to + j] = table[src[from + j] & 0xFF]} for {@code j < n}, where {@code table[k]} is
     * {@code (float) (k * scale)}.
     */
    abstract void toFloats(byte[] src, int from, float[] dst, int to, int n, double scale, float[] table);

    /** The table lookup; the reference. */
    static final class Table extends ByteRows {
        @Override
        void toFloats(byte[] src, int from, float[] dst, int to, int n, double scale, float[] table) {
            for (int j = 0; j < n; j++) dst[to + j] = table[src[from + j] & 0xFF];
        }
    }

    /**
     * {@code L} bytes at a time ({@code L} = the preferred number of int lanes): widened to ints, masked to
     * unsigned, converted to doubles in two halves, multiplied by the scale and rounded to floats — the same
     * operations, in the same precision, as the table's entries. The tail uses the table.
     */
    static final class Vectorized extends ByteRows {
        private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
        private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(IS.vectorBitSize() / 4));
        private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
        private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(IS.vectorBitSize() / 2));

        Vectorized() {
            if (BS.length() != IS.length() || 2 * DS.length() != IS.length() || 2 * HALF.length() != IS.length()) {
                throw new IllegalStateException("ByteRows: unexpected vector shapes " + BS + ", " + IS + ", " + DS + ", " + HALF);
            }
        }

        @Override
        void toFloats(byte[] src, int from, float[] dst, int to, int n, double scale, float[] table) {
            int lanes = IS.length(), half = HALF.length(), j = 0;
            for (; j + lanes <= n; j += lanes) {
                IntVector v = ((IntVector) ByteVector.fromArray(BS, src, from + j).convertShape(VectorOperators.B2I, IS, 0)).and(0xFF);
                for (int part = 0; part < 2; part++) {
                    DoubleVector d = ((DoubleVector) v.convertShape(VectorOperators.I2D, DS, part)).mul(scale);
                    ((FloatVector) d.convertShape(VectorOperators.D2F, HALF, 0)).intoArray(dst, to + j + part * half);
                }
            }
            for (; j < n; j++) dst[to + j] = table[src[from + j] & 0xFF];
        }
    }
}
