package io.github.sipf4j.orpo.lora;

/**
 * How a fresh adapter's matrices start, PEFT's {@code init_lora_weights}.
 */
public enum LoraInit {
  /**
   * PEFT's default ({@code init_lora_weights: true}, from Microsoft's reference implementation): \( A \) Kaiming
   * uniform with \( a = \sqrt{5} \), which is \( \mathcal{U}(-1/\sqrt{in}, 1/\sqrt{in}) \), and \( B = 0 \), so that
   * the adapted model starts equal to its base.
   */
  KAIMING_UNIFORM,
  /** PEFT's {@code "gaussian"}: \( A \sim \mathcal{N}(0, 1/r^2) \) and \( B = 0 \). */
  GAUSSIAN,
  /**
   * PEFT's {@code init_lora_weights: false}: both matrices as PyTorch initialises an {@code nn.Linear}, \( A \sim
   * \mathcal{U}(-1/\sqrt{in}, 1/\sqrt{in}) \) and \( B \sim \mathcal{U}(-1/\sqrt{r}, 1/\sqrt{r}) \), so the adapted
   * model differs from its base from the start (for tests; PEFT discourages it for training).
   */
  RANDOM
}
