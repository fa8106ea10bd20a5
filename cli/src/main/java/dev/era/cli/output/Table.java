package dev.era.cli.output;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain-text table like kubectl's: upper-case headers, columns padded to their widest cell. */
public final class Table {
  private static final String GAP = "   ";
  private final List<String[]> rows = new ArrayList<>();

  public Table(String... headers) {
    rows.add(headers);
  }

  public Table row(Object... cells) {
    rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toArray(String[]::new));
    return this;
  }

  public void print(PrintStream out) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(i + 1 < columns ? String.format("%-" + widths[i] + "s", row[i]) + GAP : row[i]);
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }
}
