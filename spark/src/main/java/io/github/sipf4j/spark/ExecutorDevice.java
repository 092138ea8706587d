package io.github.sipf4j.spark;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Where a Spark task of a {@link SparkRolloutEngine} puts the policy's parameters. With Spark's GPU scheduling
 * ({@code spark.executor.resource.gpu.amount} and {@code spark.task.resource.gpu.amount} set, and a discovery script
 * on the workers), each task is assigned GPU addresses, and the task's first address is the CUDA device it uses.
 */
public enum ExecutorDevice {

  /** The task's GPU when Spark assigned it one (resource {@code gpu}), the CPU otherwise. The default. */
  AUTO,

  /** Always the CPU, even where Spark assigned a GPU. */
  CPU,

  /**
   * The task's GPU; a task without one fails with a message saying which Spark settings assign GPUs, instead of
   * running for days on a CPU by mistake.
   */
  GPU;

  /** The name of Spark's GPU resource. */
  static final String GPU_RESOURCE = "gpu";

  /**
   * Chooses the device of the running task.
   *
   * @param task the running task's context, or null outside a task (the CPU, or a failure for {@link #GPU})
   * @return the device
   * @throws IllegalStateException if this is {@link #GPU} and the task has no GPU address
   */
  Device resolve(TaskContext task) {
    if (this == CPU) {
      return Device.cpu();
    }
    Map<String, ResourceInformation> resources = task == null ? Map.of() : task.resourcesJMap();
    ResourceInformation gpu = resources.get(GPU_RESOURCE);
    if (gpu != null && gpu.addresses().length > 0) {
      String address = gpu.addresses()[0];
      try {
        return Device.gpu(Integer.parseInt(address.strip()));
      } catch (NumberFormatException e) {
        throw new IllegalStateException("Spark assigned GPU address '" + address + "', which is not a CUDA device "
            + "index; make the GPU discovery script print indices such as \"0\"", e);
      }
    }
    if (this == GPU) {
      throw new IllegalStateException("the rollout engine wants a GPU, but this Spark task was assigned none: set "
          + "spark.executor.resource.gpu.amount, spark.task.resource.gpu.amount and "
          + "spark.executor.resource.gpu.discoveryScript (or choose ExecutorDevice.AUTO or CPU)");
    }
    return Device.cpu();
  }
}
