package io.github.sipf4j.orpo.util;

/**
 * The CPU settings that sipf4j's command line and benchmarks make first thing, in one explicit call: {@link
 * MklDispatch} (oneMKL's AVX-512 kernels on AMD CPUs that have them), {@link MallocTuning} (glibc's mmap and trim
 * thresholds, so tensors reuse freed memory instead of page-faulting in fresh pages every step) and, when asked for
 * with {@code -Dsipf4j.thp=true}, {@link HugePageTuning} (libtorch's tensors of 2 MiB and more on transparent huge
 * pages: faster training at large vocabularies, slower decoding on the project's machine).
 *
 * <p>All three change the whole process, so the library never applies them on its own: loading or creating a model
 * changes nothing outside it. An application that owns its process and trains on CPU calls {@link #apply()} once,
 * before its first DJL call (the MKL and huge-page parts must come before libtorch loads; a later call says so in
 * its status). On the project's 2-vCPU AMD EPYC (Zen 5) the first two take the 20 M-parameter ORPO step from about
 * 4.6 s to about 1.8 s, and huge pages take the ORPO step of a 39 M-parameter Hugging Face llama with a 32,000-token
 * vocabulary from 10.2 s to 3.1 s on one thread (README, performance section). The first two have their off
 * switches, {@code -Dsipf4j.mkl.avx512OnAmd=false} and {@code -Dsipf4j.malloc.tune=false}; huge pages are off
 * unless {@code -Dsipf4j.thp=true}.
 *
 * <p>One more setting beats huge pages for training, and no call can make it: starting the JVM with {@code
 * GLIBC_TUNABLES=}{@value MallocTuning#HEAP_ONLY} serves every tensor from glibc's one heap, so that no step
 * page-faults fresh memory (the 39 M llama's ORPO step: 1.9 s, against 3.4 s with huge pages in the same session,
 * and decoding as fast as without either; see {@link MallocTuning}). The status names it when it is set.
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
   * @param hugePages the outcome of {@link HugePageTuning#apply()}, in words ("applied (...)" or why not)
   */
  public record Status(MklDispatch.Status mklDispatch, String mallocTuning, String hugePages) {

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

    /**
     * Tells whether libtorch will put large tensors on huge pages because of this call.
     *
     * @return true when {@code -Dsipf4j.thp=true} asked for it and {@code THP_MEM_ALLOC_ENABLE=1} was set before
     *     libtorch loaded
     */
    public boolean hugePagesApplied() {
      return hugePages.startsWith("applied");
    }

    @Override
    public String toString() {
      return "MKL dispatch " + mklDispatch + "; malloc tuning " + mallocTuning + "; huge pages " + hugePages;
    }
  }

  private CpuTuning() {}

  /**
   * Applies the three settings; idempotent (later calls return the outcome of the first).
   *
   * @return what was done and why
   */
  public static Status apply() {
    return new Status(MklDispatch.apply(), MallocTuning.apply(), HugePageTuning.apply());
  }
}
