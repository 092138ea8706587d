/*
 * sipf4j's native helper for CPU training (Linux x86-64, glibc); Java side: io.github.sipf4j.orpo.util.NativeLib,
 * used by MklDispatch and MallocTuning.
 *
 * 1. oneMKL, linked into DJL's libtorch_cpu.so, asks mkl_serv_intel_cpu_true() whether the CPU is an Intel one and,
 *    if not, never takes its AVX-512 kernels: on an AMD CPU with AVX-512 (Zen 4, Zen 5) a float32 matrix product
 *    runs at about half the speed the hardware allows. This library defines that function to answer "yes"; MKL then
 *    picks its kernels from the CPU's feature bits (CPUID) as on an Intel CPU. System.load opens the library
 *    RTLD_LOCAL, where its definition is invisible to others; promote() makes it global, so that libtorch_cpu.so,
 *    opened later, binds its reference to this definition instead of its own.
 * 2. tuneMalloc() sets glibc's mmap and trim thresholds, so that tensors of up to 32 MiB reuse freed heap memory
 *    instead of being mapped, page-faulted and unmapped again on every allocation.
 * 3. enableThpAlloc() sets THP_MEM_ALLOC_ENABLE=1 in the process environment, which libtorch's CPU allocator reads at
 *    its first allocation: tensors of 2 MiB and more are then aligned to 2 MiB and backed by transparent huge pages,
 *    one page fault per 2 MiB instead of one per 4 KiB.
 *
 * Build: orpo-core/src/main/c/build.sh (the binary is committed so that a build needs no C compiler).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* Bind the glibc 2.2.5 versions, present in every glibc since (the dl* ones in libdl before 2.34, libc after). */
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dladdr,dladdr@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlclose,dlclose@GLIBC_2.2.5");
__asm__(".symver mallopt,mallopt@GLIBC_2.2.5");
__asm__(".symver setenv,setenv@GLIBC_2.2.5");
__asm__(".symver getenv,getenv@GLIBC_2.2.5");

__attribute__((visibility("default"))) int mkl_serv_intel_cpu_true(void) { return 1; }

/*
 * static native boolean promote() in io.github.sipf4j.orpo.util.NativeLib: makes this library's symbols (above all
 * mkl_serv_intel_cpu_true) global, so that libraries opened later bind to them. System.load opened it RTLD_LOCAL.
 */
__attribute__((visibility("default"))) unsigned char Java_io_github_sipf4j_orpo_util_NativeLib_promote(
    void *env, void *cls) {
  (void) env;
  (void) cls;
  Dl_info info;
  if (dladdr((void *) &mkl_serv_intel_cpu_true, &info) == 0 || info.dli_fname == 0) {
    return 0;
  }
  /* RTLD_NOLOAD: no second copy, only the flags of the loaded one change; the handle is kept on purpose. */
  return dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) != 0;
}

/*
 * static native boolean tuneMalloc(long mmapThreshold, long trimThreshold) in io.github.sipf4j.orpo.util.NativeLib:
 * glibc's mallopt(M_MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD); true when glibc accepted both.
 */
__attribute__((visibility("default"))) unsigned char Java_io_github_sipf4j_orpo_util_NativeLib_tuneMalloc(
    void *env, void *cls, long long mmap_threshold, long long trim_threshold) {
  (void) env;
  (void) cls;
  int a = mallopt(M_MMAP_THRESHOLD, (int) mmap_threshold);
  int b = mallopt(M_TRIM_THRESHOLD, (int) trim_threshold);
  return a == 1 && b == 1;
}

/*
 * static native int enableThpAlloc() in io.github.sipf4j.orpo.util.NativeLib: sets THP_MEM_ALLOC_ENABLE=1 unless
 * the environment already has the variable (then it is left as it is). Returns 1 when it now reads "1", 0 when the
 * environment gave it another value, -1 when setenv failed.
 */
__attribute__((visibility("default"))) int Java_io_github_sipf4j_orpo_util_NativeLib_enableThpAlloc(
    void *env, void *cls) {
  (void) env;
  (void) cls;
  if (setenv("THP_MEM_ALLOC_ENABLE", "1", 0) != 0) {
    return -1;
  }
  const char *value = getenv("THP_MEM_ALLOC_ENABLE");
  return value != 0 && strcmp(value, "1") == 0;
}

static int find_libtorch(struct dl_phdr_info *info, size_t size, void *data) {
  (void) size;
  const char *name = info->dlpi_name;
  size_t n = name == 0 ? 0 : strlen(name);
  const char *suffix = "libtorch_cpu.so";
  size_t m = strlen(suffix);
  if (n >= m && strcmp(name + n - m, suffix) == 0) {
    *(const char **) data = name;
    return 1;
  }
  return 0;
}

/*
 * static native int mklAutoBranch() in io.github.sipf4j.orpo.util.NativeLib: the code branch oneMKL inside the
 * loaded libtorch_cpu.so selects on this CPU (mkl_serv_cbwr_get_auto_branch: 10 AVX2, 12 AVX-512, 14 AVX-512 E1,
 * 2 when MKL treats the CPU as "other"), or -1 when libtorch_cpu.so is not loaded or has no such function.
 */
__attribute__((visibility("default"))) int Java_io_github_sipf4j_orpo_util_NativeLib_mklAutoBranch(
    void *env, void *cls) {
  (void) env;
  (void) cls;
  const char *path = 0;
  dl_iterate_phdr(find_libtorch, &path);
  if (path == 0) {
    return -1;
  }
  void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
  if (handle == 0) {
    return -1;
  }
  int (*branch)(void) = (int (*)(void)) dlsym(handle, "mkl_serv_cbwr_get_auto_branch");
  int result = branch == 0 ? -1 : branch();
  dlclose(handle);
  return result;
}
