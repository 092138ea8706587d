package io.github.sipf4j.prm.rollout;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.Map;

/**
 * Writes and reads {@link RolloutJob}s as JSON, the form in which an engine ships a job to its workers: a few
 * kilobytes of settings plus the job's items, and no live object. {@code fromJson(toJson(job))} equals {@code job}
 * (doubles and floats are written in full precision).
 *
 * <pre>{@code
 * String json = RolloutJobs.toJson(job);          // on the driver
 * RolloutJob<?> again = RolloutJobs.fromJson(json); // on a worker
 * }</pre>
 */
public final class RolloutJobs {

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .create();
  private static final Map<String, Class<? extends RolloutJob<?>>> TYPES = Map.of("sample", SampleJob.class,
      "verify", VerifyJob.class, "simulate", SimulateJob.class, "evaluate", EvaluateJob.class);

  private RolloutJobs() {}

  /**
   * Writes a job as one JSON object {@code {"type": ..., "job": {...}}}.
   *
   * @param job the job
   * @return the JSON text
   */
  public static String toJson(RolloutJob<?> job) {
    String type = TYPES.entrySet().stream().filter(e -> e.getValue() == job.getClass()).findFirst()
        .orElseThrow().getKey();
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    o.add("job", GSON.toJsonTree(job));
    return GSON.toJson(o);
  }

  /**
   * Reads a job written by {@link #toJson}.
   *
   * @param json the JSON text
   * @return the job
   * @throws IllegalArgumentException if the text is not such a job
   */
  public static RolloutJob<?> fromJson(String json) {
    try {
      JsonObject o = JsonParser.parseString(json).getAsJsonObject();
      JsonElement type = o.get("type");
      Class<? extends RolloutJob<?>> c = type == null ? null : TYPES.get(type.getAsString());
      if (c == null) {
        throw new IllegalArgumentException("not a rollout job: \"type\" must be one of " + TYPES.keySet() + ", got "
            + type);
      }
      RolloutJob<?> job = GSON.fromJson(o.get("job"), c);
      if (job == null) {
        throw new IllegalArgumentException("not a rollout job: \"job\" is missing");
      }
      return job;
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      throw new IllegalArgumentException("not a rollout job: " + e.getMessage(), e);
    }
  }
}
