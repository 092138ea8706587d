package io.github.sipf4j.prm.synthetic;

/** The arithmetic operations of synthetic reasoning chains, each written as one equation line. */
public enum Operator {
  /** Addition, {@code 7+5=12}: the person gets more items. */
  ADD('+'),
  /** Subtraction, {@code 12-3=9}: the person loses items; results stay at least 1. */
  SUB('-'),
  /** Multiplication by a small factor, {@code 4*3=12}. */
  MUL('*'),
  /** Exact division by a small factor, {@code 12/3=4}: the person keeps one equal share. */
  DIV('/');

  private final char symbol;

  Operator(char symbol) {
    this.symbol = symbol;
  }

  /**
   * Returns the symbol used in equation lines.
   *
   * @return one of {@code + - * /}
   */
  public char symbol() {
    return symbol;
  }

  /**
   * Applies the operation.
   *
   * @param a the left operand
   * @param b the right operand
   * @return the result
   */
  public int apply(int a, int b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
    };
  }
}
