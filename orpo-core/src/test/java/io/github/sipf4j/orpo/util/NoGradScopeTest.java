package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

/** The scope turns grad mode off inside and restores what the thread had. */
class NoGradScopeTest {

  @Test
  void switchesGradModeOffAndRestoresIt() throws Exception {
    Engine.getInstance();
    boolean[] seen = new boolean[3];
    Thread t = new Thread(() -> {
      JniUtils.setGradMode(true);
      try (NoGradScope a = NoGradScope.open()) {
        seen[0] = JniUtils.isGradMode();
        try (NoGradScope b = NoGradScope.open()) {
          seen[1] = JniUtils.isGradMode();
        }
        seen[2] = !JniUtils.isGradMode();
      }
      seen[2] &= JniUtils.isGradMode();
    });
    t.start();
    t.join();
    assertFalse(seen[0], "off inside");
    assertFalse(seen[1], "off inside a nested scope");
    assertTrue(seen[2], "a nested scope leaves it off; the outer one restores it on");
    JniUtils.setGradMode(false);
    try (NoGradScope s = NoGradScope.open()) {
      assertFalse(JniUtils.isGradMode());
    }
    assertFalse(JniUtils.isGradMode(), "a thread with grad mode off keeps it off");
  }
}
