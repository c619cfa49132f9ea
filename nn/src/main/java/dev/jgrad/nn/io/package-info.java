/**
 * Checkpoint files: a strict reader and an atomic, streaming writer for the
 * <a href="https://huggingface.co/docs/safetensors">safetensors</a> format
 * ({@link dev.jgrad.nn.io.SafeTensors}), with tensors represented as little-endian byte
 * blocks ({@link dev.jgrad.nn.io.RawTensor}) and an atomic file-replacement helper
 * ({@link dev.jgrad.nn.io.AtomicFiles}); jgrad checkpoints ({@link dev.jgrad.nn.io.Checkpoint}) and plain
 * PyTorch-compatible state dicts ({@link dev.jgrad.nn.io.StateDict}, with F16/BF16 rounding in
 * {@link dev.jgrad.nn.io.HalfFloats}).
 */
package dev.jgrad.nn.io;
