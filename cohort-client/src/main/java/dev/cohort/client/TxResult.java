package dev.cohort.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * What {@link TContext#retrieveTx} found: a transaction that is {@link TxStatus.State#DONE} with
 * its service's output, or one still {@link TxStatus.State#NEW} or {@link TxStatus.State#PENDING}
 * (only when not blocking; NEW also when blocking if nothing was ever called under it). Failed and
 * in-doubt transactions throw instead.
 */
public final class TxResult {

  private final String tid;
  private final TxStatus.State state;
  private final Optional<JsonNode> output;
  private final ObjectMapper mapper;

  TxResult(String tid, TxStatus.State state, Optional<JsonNode> output, ObjectMapper mapper) {
    this.tid = tid;
    this.state = state;
    this.output = output;
    this.mapper = mapper;
  }

  /** The transaction id. */
  public String tid() {
    return tid;
  }

  /** {@code DONE}, or {@code NEW}/{@code PENDING} while the service has not finished. */
  public TxStatus.State state() {
    return state;
  }

  /** Whether the service ran and its output (if kept) is here. */
  public boolean done() {
    return state == TxStatus.State.DONE;
  }

  /**
   * The service's output; empty until done, and for a transaction sent with {@link TContext#sendTx}
   * (its result is not kept).
   */
  public Optional<JsonNode> output() {
    return output;
  }

  /** The service's output read as {@code type}. */
  public <T> Optional<T> output(Class<T> type) {
    return output.map(node -> CohortClient.convert(mapper, node, type));
  }

  @Override
  public String toString() {
    return "TxResult[" + tid + " " + state + output.map(o -> " " + o).orElse("") + "]";
  }
}
