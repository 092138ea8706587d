package io.github.sipf4j.orpo.util;

/**
 * The CPU settings that sipf4j's command line and benchmarks make first thing, in one explicit call: {@link
 * MklDispatch} (oneMKL's AVX-512 kernels on AMD CPUs that have them) and {@link MallocTuning} (glibc's mmap and trim
 * thresholds, so tensors reuse freed memory instead of page-faulting in fresh pages every step).
 *
 * <p>Both change the whole process, so the library never applies them on its own: loading or creating a model
 * changes nothing outside it. An application that owns its process and trains on CPU calls {@link #apply()} once,
 * before its first DJL call (the MKL part must come before libtorch loads; a later call says so in its status and
 * leaves MKL as it is). On the project's 2-vCPU AMD EPYC (Zen 5) the two together take the 20 M-parameter ORPO step
 * from about 4.6 s to about 1.8 s (README, performance section). Each part has its own off switch:
 * {@code -Dsipf4j.mkl.avx512OnAmd=false} and {@code -Dsipf4j.malloc.tune=false}.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   CpuTuning.Status cpu = CpuTuning.apply();   // before anything touches DJL
 *   System.err.println("CPU tuning: " + cpu);
 *   ...
 * }
 * }</pre>
 */
public final class CpuTuning {

  /**
   * What {@link #apply()} did.
   *
   * @param mklDispatch the outcome of {@link MklDispatch#apply()}
   * @param mallocTuning the outcome of {@link MallocTuning#apply()}, in words ("applied (...)", "disabled (...)",
   *     "not applied (...)" or "failed (...)")
   */
  public record Status(MklDispatch.Status mklDispatch, String mallocTuning) {

    /**
     * Tells whether MKL will use its AVX-512 kernels because of this call.
     *
     * @return true when the MKL dispatch shim is applied
     */
    public boolean mklApplied() {
      return mklDispatch.state() == MklDispatch.State.APPLIED;
    }

    /**
     * Tells whether the malloc thresholds are set.
     *
     * @return true when glibc took them
     */
    public boolean mallocApplied() {
      return mallocTuning.startsWith("applied");
    }

    @Override
    public String toString() {
      return "MKL dispatch " + mklDispatch + "; malloc tuning " + mallocTuning;
    }
  }

  private CpuTuning() {}

  /**
   * Applies both settings; idempotent (later calls return the outcome of the first).
   *
   * @return what was done and why
   */
  public static Status apply() {
    return new Status(MklDispatch.apply(), MallocTuning.apply());
  }
}
