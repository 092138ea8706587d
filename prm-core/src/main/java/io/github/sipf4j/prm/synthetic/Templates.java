package io.github.sipf4j.prm.synthetic;

import java.util.List;
import java.util.Map;

/**
 * The sentence templates of one {@link Wording}. Placeholders: {@code {P}} the person, {@code {Q}} the second
 * person, {@code {I}} the item (plural), {@code {n}} the step's number, {@code {m}} the comparison number or bag size.
 * In a transfer {@code {P}} gives and {@code {Q}} receives. No held-out sentence is used in training.
 */
record Templates(
    List<String> openings,
    Map<Operator, List<String>> steps,
    List<String> numberQuestions,
    List<String> comparisons,
    List<String> yesNo,
    List<String> remainders,
    List<String> transfers,
    List<String> totalQuestions) {

  static final List<String> NAMES =
      List.of("Ann", "Bob", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kim", "Leo", "Max", "Ned", "Ola",
          "Pam", "Sam", "Tom", "Uma", "Zoe");

  static final List<String> ITEMS =
      List.of("apples", "pens", "cards", "coins", "eggs", "books", "shells", "stamps", "beads", "cups");

  static final Templates TRAINING =
      new Templates(
          List.of("{P} has {n} {I}.", "{P} owns {n} {I}."),
          Map.of(
              Operator.ADD, List.of("{P} buys {n} more.", "{P} gets {n} more."),
              Operator.SUB, List.of("{P} gives away {n}.", "{P} loses {n}."),
              Operator.MUL, List.of("{P} ends up with {n} times as many.", "The {I} grow {n} times."),
              Operator.DIV, List.of("{P} keeps 1/{n} of them.", "{P} keeps one of {n} equal parts.")),
          List.of("How many {I} does {P} have now?", "How many {I} does {P} have?"),
          List.of("{Q} has {m} {I}. Who has more {I}?"),
          List.of("Does {P} have more than {m} {I}?"),
          List.of("{P} packs them in bags of {m}. How many are left over?"),
          List.of("{P} gives {n} {I} to {Q}.", "{P} hands {Q} {n} {I}."),
          List.of("How many {I} do {P} and {Q} have together?"));

  static final Templates HELD_OUT =
      new Templates(
          List.of("There are {n} {I} in {P}'s box.", "{P} starts out with {n} {I}."),
          Map.of(
              Operator.ADD, List.of("{P} is handed another {n}.", "A friend adds {n} to the box."),
              Operator.SUB, List.of("{n} of them are used up.", "{P} sells {n} of them."),
              Operator.MUL, List.of("The count becomes {n}-fold.", "Each one is swapped for {n}."),
              Operator.DIV, List.of("Only a 1/{n} share stays.", "Only 1 in {n} of them is kept.")),
          List.of("What is {P}'s total at the end?", "How big is the pile in the end?"),
          List.of("Next door, {Q} keeps {m}. Whose pile is bigger?"),
          List.of("Is {P}'s final count above {m}?"),
          List.of("If they go into groups of {m}, what is the remainder?"),
          List.of("{P} passes {n} {I} over to {Q}.", "{Q} receives {n} {I} from {P}."),
          List.of("What is the joint count of {P} and {Q}?"));

  static Templates of(Wording wording) {
    return wording == Wording.TRAINING ? TRAINING : HELD_OUT;
  }

  /**
   * Returns these templates with every sentence that does not name its person left out, for stories about two
   * people, where a sentence such as {@code The pens grow 2 times.} would not say whose items grow.
   *
   * @return the templates that name {@code {P}}
   */
  Templates naming() {
    Map<Operator, List<String>> named = new java.util.EnumMap<>(Operator.class);
    steps.forEach((op, list) -> named.put(op, withPerson(list)));
    return new Templates(withPerson(openings), Map.copyOf(named), withPerson(numberQuestions), comparisons,
        withPerson(yesNo), withPerson(remainders), transfers, totalQuestions);
  }

  private static List<String> withPerson(List<String> list) {
    return list.stream().filter(s -> s.contains("{P}")).toList();
  }
}
