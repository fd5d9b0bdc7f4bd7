package dev.cohort.server.admin;

import dev.cohort.api.Caller;
import dev.cohort.server.admin.AdminApi.Reply;
import dev.cohort.server.gd.GuaranteedDelivery;
import dev.cohort.server.gd.Tx;
import dev.cohort.server.gd.TxState;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's guaranteed-delivery transactions:
 *
 * <pre>
 * GET    transactions[?state=&amp;service=&amp;user=&amp;limit=]   counts by state and the newest matching
 * GET    transactions/{tid}                               one, with its stored request
 * POST   transactions/{tid}/resubmit                      IN_DOUBT or FAILED: run again now
 * DELETE transactions/{tid}                               end it (unless it runs under a live lease)
 * </pre>
 */
final class TransactionAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionAdmin.class);
  private static final int DEFAULT_LIMIT = 100;

  private final GuaranteedDelivery gd;

  TransactionAdmin(GuaranteedDelivery gd) {
    this.gd = gd;
  }

  Reply handle(String method, String rest, Map<String, String> query, Caller admin) {
    if (rest.isEmpty()) {
      requireMethod(method, "GET");
      return list(query);
    }
    String[] parts = rest.split("/", 2);
    String tid = parts[0];
    if (parts.length == 2) {
      if (!parts[1].equals("resubmit")) {
        throw new CohortError(ErrorCode.NOT_FOUND, "no transaction action '" + parts[1] + "'; see transactions/{tid}/resubmit");
      }
      requireMethod(method, "POST");
      Tx tx = gd.resubmit(tid);
      LOG.info("COH.0600.0001I administrator {} resubmitted transaction {}", admin.user(), tid);
      return new Reply(200, tx.describe(true));
    }
    return switch (method) {
      case "GET" ->
          new Reply(
              200,
              gd.find(tid)
                  .map(t -> t.describe(true))
                  .orElseThrow(() -> new CohortError(ErrorCode.NOT_FOUND, "no transaction " + tid)));
      case "DELETE" -> {
        gd.forceEnd(tid);
        LOG.info("COH.0600.0001I administrator {} ended transaction {}", admin.user(), tid);
        yield new Reply(200, Map.of("ended", tid));
      }
      default -> throw new CohortError(ErrorCode.METHOD_NOT_ALLOWED, "use GET or DELETE on transactions/{tid}");
    };
  }

  private Reply list(Map<String, String> query) {
    Optional<TxState> state =
        Optional.ofNullable(query.get("state"))
            .filter(s -> !s.isBlank())
            .map(
                s -> {
                  try {
                    return TxState.valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
                  } catch (IllegalArgumentException e) {
                    throw new CohortError(
                        ErrorCode.INVALID_INPUT,
                        "state '" + s + "' is not one of " + Arrays.toString(TxState.values()));
                  }
                });
    int limit;
    try {
      limit = Integer.parseInt(query.getOrDefault("limit", Integer.toString(DEFAULT_LIMIT)));
    } catch (NumberFormatException e) {
      throw new CohortError(ErrorCode.INVALID_INPUT, "limit must be a number from 1 to 1000");
    }
    if (limit < 1 || limit > 1000) {
      throw new CohortError(ErrorCode.INVALID_INPUT, "limit must be a number from 1 to 1000");
    }
    List<Tx> found =
        gd.list(
            state,
            Optional.ofNullable(query.get("service")).filter(s -> !s.isBlank()),
            Optional.ofNullable(query.get("user")).filter(s -> !s.isBlank()),
            limit);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("counts", gd.counts());
    body.put("transactions", found.stream().map(t -> t.describe(true)).toList());
    return new Reply(200, body);
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new CohortError(ErrorCode.METHOD_NOT_ALLOWED, "use " + expected + " here");
    }
  }
}
