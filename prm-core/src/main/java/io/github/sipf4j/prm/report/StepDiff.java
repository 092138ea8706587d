package io.github.sipf4j.prm.report;

import java.util.List;

/**
 * Marks the steps two rationales do not share: one longest common subsequence of whole steps (compared without their
 * surrounding whitespace) is kept on both sides, every other step is marked.
 */
final class StepDiff {

  private StepDiff() {}

  /**
   * Aligns two rationales.
   *
   * @param a one rationale's steps
   * @param b the other's
   * @return two arrays: per step of {@code a}, and per step of {@code b}, true when it differs
   */
  static boolean[][] differing(List<String> a, List<String> b) {
    int n = a.size();
    int m = b.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = same(a.get(i), b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    boolean[] da = new boolean[n];
    boolean[] db = new boolean[m];
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && same(a.get(i), b.get(j))) {
        i++;
        j++;
      } else if (j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
        da[i++] = true;
      } else {
        db[j++] = true;
      }
    }
    return new boolean[][] {da, db};
  }

  private static boolean same(String x, String y) {
    return x.strip().equals(y.strip());
  }
}
