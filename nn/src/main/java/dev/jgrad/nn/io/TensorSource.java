package dev.jgrad.nn.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Something {@link SafeTensors#write} can store: an element type, a shape and a way to
 * stream the data. Implementations can write straight from their own storage (e.g. a model
 * parameter) without first building a byte array; {@link RawTensor} is the simple in-memory
 * implementation.
 */
public interface TensorSource {
    /**
     * The element type.
     *
     * @return the dtype
     */
    ElementType dtype();

    /**
     * The shape; {@code []} is a scalar (one element). Must not change while writing.
     *
     * @return the dimensions, each at least 0
     */
    long[] shape();

    /**
     * Writes exactly {@link #byteSize()} bytes: the elements in row-major order, each
     * little-endian. The writer checks the count and fails the whole save (leaving any
     * previous file intact) if it is wrong or if this method throws. Must not close
     * {@code out}.
     *
     * @param out where to write
     * @throws IOException if the data cannot be produced or written
     */
    void writeData(OutputStream out) throws IOException;

    /**
     * Number of elements: the product of the shape (1 for a scalar).
     *
     * @return the element count
     * @throws ArithmeticException if it overflows a long
     */
    default long numElements() {
        return RawTensor.numElements(shape());
    }

    /**
     * Number of data bytes: elements × element size.
     *
     * @return the byte count
     * @throws ArithmeticException if it overflows a long
     */
    default long byteSize() {
        return Math.multiplyExact(numElements(), (long) dtype().byteSize());
    }
}
