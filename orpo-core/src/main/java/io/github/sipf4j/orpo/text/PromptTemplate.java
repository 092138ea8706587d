package io.github.sipf4j.orpo.text;

import com.google.common.base.Preconditions;

/**
 * Turns a question into the prompt text the model continues. The template holds the placeholder {@code {question}}
 * exactly once; everything else is copied verbatim.
 *
 * @param template the template text, e.g. {@code "Q: {question}\nA:\n"}
 */
public record PromptTemplate(String template) {

  /** The placeholder replaced by the question. */
  public static final String PLACEHOLDER = "{question}";

  /**
   * The default template, short because the built-in models read characters: {@code "Q: {question}\nA:\n"}. The
   * rationale starts on its own line, one step per line.
   */
  public static final PromptTemplate DEFAULT = new PromptTemplate("Q: " + PLACEHOLDER + "\nA:\n");

  /**
   * Validates the template.
   *
   * @param template the {@code template} component (see the record)
   */
  public PromptTemplate {
    Preconditions.checkNotNull(template, "template");
    int first = template.indexOf(PLACEHOLDER);
    Preconditions.checkArgument(first >= 0 && template.indexOf(PLACEHOLDER, first + 1) < 0,
        "a prompt template must contain %s exactly once: %s", PLACEHOLDER, template);
  }

  /**
   * Creates a template.
   *
   * @param template the template text containing {@value #PLACEHOLDER} once
   * @return the template
   */
  public static PromptTemplate of(String template) {
    return new PromptTemplate(template);
  }

  /**
   * Fills in a question.
   *
   * @param question the question
   * @return the prompt text
   */
  public String format(String question) {
    return template.replace(PLACEHOLDER, question);
  }
}
