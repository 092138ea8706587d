package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.data.PreferencePair;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Turns the scored rationales of one question into ORPO preference pairs, deterministically.
 *
 * <ol>
 *   <li><b>De-duplication.</b> Rationales are visited by decreasing reward (ties: input order). One is dropped when
 *       a rationale already kept has the same outcome and the same normalised text (the steps joined, whitespace
 *       removed, lower-cased: identical equations), or a normalised edit similarity
 *       \( 1 - \mathrm{lev}(a, b)/\max(|a|, |b|) \) of at least {@link PairSelectorConfig#nearDuplicateSimilarity()}.
 *       Rationales with different outcomes are never merged: a correct and a wrong rationale that differ in one
 *       digit make the most instructive pair.</li>
 *   <li><b>Candidates.</b> Chosen: verified correct, by decreasing reward. Rejected: incorrect ones, plus correct
 *       ones when {@link PairSelectorConfig#allowCorrectRejected()} (correct but flawed, which only process feedback
 *       can tell), by increasing reward (ties: incorrect first, then input order). With
 *       {@link PairSelectorConfig#preferFlawedRejected()} the correct ones come first (each group by increasing
 *       reward).</li>
 *   <li><b>Pairing.</b> The best remaining chosen is paired with the worst remaining rejected whose reward is at
 *       least η below it (\( r_w - r_l \ge \eta \), up to 1e-9 for rounding), until
 *       {@link PairSelectorConfig#maxPairsPerQuestion()} pairs exist. A rationale plays one role only; without
 *       {@link PairSelectorConfig#allowChosenReuse()} it is also in at most one pair, with it the best chosen is
 *       paired with every qualifying rejected before the next chosen is tried.</li>
 * </ol>
 *
 * <pre>{@code
 * PairSelector selector = new PairSelector(PairSelectorConfig.builder().margin(0.1).build());
 * List<SelectedPair> pairs = selector.select(template.format(question), scoredRationales);
 * }</pre>
 */
public final class PairSelector {

  private static final double TOLERANCE = 1e-9;

  private final PairSelectorConfig config;

  /**
   * Creates a selector.
   *
   * @param config the margin, cap, duplicate rule and pairing options
   */
  public PairSelector(PairSelectorConfig config) {
    this.config = Preconditions.checkNotNull(config, "config");
  }

  /**
   * Creates a selector with the default configuration.
   *
   * @return the selector
   */
  public static PairSelector withDefaults() {
    return new PairSelector(PairSelectorConfig.builder().build());
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public PairSelectorConfig config() {
    return config;
  }

  /**
   * Selects pairs from the rationales of one question.
   *
   * @param prompt the formatted prompt text of the pairs
   * @param rationales the scored rationales of that question, in sampling order
   * @return the pairs, strongest first (best chosen, then widest margin); empty when no pair qualifies
   */
  public List<SelectedPair> select(String prompt, List<ScoredRationale> rationales) {
    Preconditions.checkNotNull(prompt, "prompt");
    List<Integer> kept = deduplicate(rationales);
    List<Integer> chosen = new ArrayList<>();
    List<Integer> rejected = new ArrayList<>();
    for (int i : kept) {
      ScoredRationale r = rationales.get(i);
      if (r.correct() && r.reward() >= config.minChosenReward() - TOLERANCE) {
        chosen.add(i);
      }
      if (!r.correct() || config.allowCorrectRejected()) {
        rejected.add(i);
      }
    }
    // kept is ordered by decreasing reward, ties by index, so chosen already is; rejected needs increasing reward.
    Comparator<Integer> byReward = Comparator.<Integer>comparingDouble(i -> rationales.get(i).reward())
        .thenComparing(i -> rationales.get(i).correct())
        .thenComparingInt(i -> i);
    rejected.sort(config.preferFlawedRejected()
        ? Comparator.<Integer, Boolean>comparing(i -> !rationales.get(i).correct()).thenComparing(byReward)
        : byReward);
    boolean[] used = new boolean[rationales.size()];
    List<SelectedPair> out = new ArrayList<>();
    for (int c : chosen) {
      if (out.size() >= config.maxPairsPerQuestion()) {
        break;
      }
      if (used[c]) {
        continue;
      }
      ScoredRationale w = rationales.get(c);
      for (int r : rejected) {
        if (out.size() >= config.maxPairsPerQuestion()) {
          break;
        }
        ScoredRationale l = rationales.get(r);
        if (r == c || used[r] || w.reward() - l.reward() < config.margin() - TOLERANCE) {
          continue;
        }
        out.add(new SelectedPair(new PreferencePair(prompt, w.text(), l.text()), w.reward(), l.reward(),
            l.correct()));
        used[c] = true;
        used[r] = true;
        if (!config.allowChosenReuse()) {
          break;
        }
      }
    }
    return out;
  }

  /**
   * Returns the indices of the rationales kept after de-duplication, by decreasing reward (ties: input order).
   *
   * @param rationales the rationales
   * @return the kept indices
   */
  List<Integer> deduplicate(List<ScoredRationale> rationales) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rationales.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -rationales.get(i).reward()).thenComparingInt(i -> i));
    List<Integer> kept = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i : order) {
      ScoredRationale r = rationales.get(i);
      String key = normalise(r);
      boolean duplicate = false;
      for (int k = 0; k < kept.size() && !duplicate; k++) {
        duplicate = rationales.get(kept.get(k)).correct() == r.correct()
            && similarity(keys.get(k), key) >= config.nearDuplicateSimilarity();
      }
      if (!duplicate) {
        kept.add(i);
        keys.add(key);
      }
    }
    return kept;
  }

  /**
   * Returns the text that duplicates are compared on: the steps joined (the text when there are no steps), with
   * all whitespace removed, lower-cased.
   *
   * @param r the rationale
   * @return the normalised text
   */
  static String normalise(ScoredRationale r) {
    String text = r.steps().isEmpty() ? r.text() : StepSplitter.join(r.steps());
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints().filter(cp -> !Character.isWhitespace(cp)).forEach(b::appendCodePoint);
    return b.toString().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the normalised edit similarity \( 1 - \mathrm{lev}(a, b)/\max(|a|, |b|) \), 1 for two empty strings.
   *
   * @param a the first text
   * @param b the second text
   * @return the similarity in [0, 1]
   */
  static double similarity(String a, String b) {
    if (a.equals(b)) {
      return 1.0;
    }
    int n = a.length();
    int m = b.length();
    int longest = Math.max(n, m);
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      cur[0] = i;
      for (int j = 1; j <= m; j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return 1.0 - (double) prev[m] / longest;
  }
}
