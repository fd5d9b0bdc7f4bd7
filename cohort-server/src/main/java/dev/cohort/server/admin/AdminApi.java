package dev.cohort.server.admin;

import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.server.cluster.ClusterView;
import dev.cohort.server.config.NodeOverrides;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.pkg.ServiceRegistry;
import dev.cohort.server.security.Realm;
import dev.cohort.server.security.SecurityStore;
import dev.cohort.server.security.SecurityStoreException;

import dev.cohort.server.session.Sessions;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's resources, below {@code /admin/api/}:
 *
 * <pre>
 * GET    node                      this node: name, version, state, ports, database, counts
 * POST   node/offline, node/online close the primary port (in-flight calls finish) / open it again
 * POST   node/remove, node/add     leave / rejoin the cluster at the next restart (persisted)
 * GET    packages                  packages with state, services and load errors
 * GET    cluster                   members (live or not), heartbeat age, clock skew, epoch
 * POST   cluster/refresh           clear the member list; live nodes re-register
 * POST   cluster/failover-action   {"action":"promote|restart|fail-fast"} (stateful cluster)
 * GET    users                     POST users {name,password,groups}
 * GET    users/{name}              PUT users/{name} {password?,groups?,disabled?}   DELETE users/{name}
 * GET    groups                    POST groups {name,description}                   DELETE groups/{name}
 * GET    acls                      PUT acls/{name} {allow:[...],deny:[...]}         DELETE acls/{name}
 * GET    acl-assignments           PUT acl-assignments/{target} {acl}               DELETE acl-assignments/{target}
 * GET    transactions[?state=&amp;service=&amp;user=&amp;limit=]   GET/DELETE transactions/{tid}   POST transactions/{tid}/resubmit
 * </pre>
 *
 * Every change is logged with the administrator's name (never a password) and makes the realm
 * reload at once.
 */
public final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  /** A reply: status and JSON body. */
  public record Reply(int status, Object body) {}

  private final Supplier<Map<String, Object>> nodeInfo;
  private final ServiceRegistry registry;
  private final SecurityStore store;
  private final Realm realm;
  private final Sessions sessions;
  private final ClusterView cluster;
  private final NodeControl control;
  private final TransactionAdmin transactions;

  public AdminApi(
      Supplier<Map<String, Object>> nodeInfo,
      ServiceRegistry registry,
      SecurityStore store,
      Realm realm,
      Sessions sessions,
      ClusterView cluster,
      NodeControl control,
      dev.cohort.server.gd.GuaranteedDelivery gd) {
    this.transactions = new TransactionAdmin(gd);
    this.nodeInfo = nodeInfo;
    this.registry = registry;
    this.store = store;
    this.realm = realm;
    this.sessions = sessions;
    this.cluster = cluster;
    this.control = control;
  }

  Reply handle(String method, String path, Document body, Caller admin) {
    return handle(method, path, Map.of(), body, admin);
  }

  Reply handle(String method, String path, Map<String, String> query, Document body, Caller admin) {
    String[] parts = path.split("/", 2);
    String resource = parts[0];
    String name = parts.length > 1 ? parts[1] : "";
    return switch (resource) {
      case "node" -> node(method, name, admin);
      case "packages" -> only(method, "GET", () -> ok(registry.packages()));
      case "sessions" -> only(method, "GET", () -> ok(Map.of("count", sessions.count())));
      case "cluster" -> cluster(method, name, body, admin);
      case "users" -> users(method, name, body, admin);
      case "groups" -> groups(method, name, body, admin);
      case "acls" -> acls(method, name, body, admin);
      case "acl-assignments" -> assignments(method, name, body, admin);
      case "transactions" -> transactions.handle(method, name, query, admin);
      default ->
          throw new CohortError(
              ErrorCode.NOT_FOUND,
              "no admin resource '" + resource
                  + "'; see node, packages, sessions, cluster, users, groups, acls, acl-assignments,"
                  + " transactions");
    };
  }

  private Reply node(String method, String action, Caller admin) {
    if (action.isEmpty()) {
      return only(method, "GET", () -> ok(nodeInfo.get()));
    }
    return only(
        method,
        "POST",
        () -> {
          try {
            switch (action) {
              case "offline" -> control.primary().get().offline();
              case "online" -> control.primary().get().online();
              case "remove" -> {
                NodeOverrides.put(control.dataDir(), "cluster.enabled", "false");
                LOG.info("COH.0600.0001I administrator {} removed the node from its cluster (at restart)", admin.user());
                return ok(pending(
                    control.clustered()
                        ? "removed: the node leaves the cluster when it restarts; until then the other"
                            + " nodes list it"
                        : "removed: the node stays out of the cluster"));
              }
              case "add" -> {
                NodeOverrides.put(control.dataDir(), "cluster.enabled", null);
                LOG.info("COH.0600.0001I administrator {} added the node back to its cluster (at restart)", admin.user());
                return ok(pending(
                    "added: at restart the node runs with the cluster settings of its configuration"
                        + " (cohort.yaml, COHORT_*, --set); restart it to rejoin"));
              }
              default ->
                  throw new CohortError(
                      ErrorCode.NOT_FOUND,
                      "no node action '" + action + "'; see node/offline, node/online, node/remove, node/add");
            }
          } catch (IllegalStateException e) {
            throw new CohortError(ErrorCode.CONFLICT, e.getMessage());
          } catch (CohortError e) {
            throw e;
          } catch (Exception e) {
            throw new CohortError(ErrorCode.INTERNAL, "could not take the node " + action + ": " + e.getMessage());
          }
          LOG.info("COH.0600.0001I administrator {} took the node {}", admin.user(), action);
          return ok(nodeInfo.get());
        });
  }

  private Map<String, Object> pending(String message) {
    Map<String, Object> body = new LinkedHashMap<>(nodeInfo.get());
    body.put("message", message);
    return body;
  }

  private Reply cluster(String method, String action, Document body, Caller admin) {
    if (action.isEmpty()) {
      return only(method, "GET", () -> ok(clusterReport()));
    }
    if (action.equals("failover-action")) {
      return only(method, "POST", () -> failoverAction(body, admin));
    }
    if (action.equals("refresh")) {
      return only(
          method,
          "POST",
          () -> {
            cluster.refresh();
            return ok(clusterReport());
          });
    }
    throw new CohortError(
        ErrorCode.NOT_FOUND,
        "no cluster action '" + action + "'; see cluster/refresh, cluster/failover-action");
  }

  /** The member list, plus the cache view in a stateful cluster. */
  private Map<String, Object> clusterReport() {
    ClusterView.View view = cluster.current();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("cluster", view.cluster());
    body.put("members", view.members());
    body.put("epoch", view.epoch());
    body.put("mismatches", view.mismatches());
    cluster.grid().ifPresent(g -> body.put("grid", g.status()));
    return body;
  }

  /**
   * Terracotta's fail-over-action on this node: promote (make this side's degraded caches
   * available), restart (drop local cache state and rejoin) or fail-fast (stop the node).
   */
  private Reply failoverAction(Document body, Caller admin) {
    String action = body.requireString("action");
    var grid =
        cluster
            .grid()
            .orElseThrow(
                () ->
                    new CohortError(
                        ErrorCode.CONFLICT,
                        "failover actions apply to stateful clusters; this node is not a member of one"));
    Map<String, Object> reply = new LinkedHashMap<>();
    switch (action) {
      case "promote" -> {
        List<String> promoted;
        try {
          promoted = grid.promote();
        } catch (IllegalStateException e) {
          throw new CohortError(ErrorCode.CONFLICT, e.getMessage());
        }
        reply.put(
            "message",
            promoted.isEmpty()
                ? "nothing to promote: every cache on this node is available"
                : "promoted: caches " + promoted + " serve reads and writes on this side again."
                    + " When the other side comes back, restart one side (failover-action restart)");
      }
      case "restart" -> {
        grid.restart();
        reply.put("message", "restarted: local cache state dropped, rejoined the cluster");
      }
      case "fail-fast" -> {
        reply.put("message", "failing fast: the node stops now");
        control.stop().run();
      }
      default ->
          throw new CohortError(
              ErrorCode.INVALID_INPUT,
              "unknown failover action '" + action + "'; use promote, restart or fail-fast");
    }
    LOG.warn("COH.0600.0002W administrator {} ran failover action {}", admin.user(), action);
    if (!action.equals("fail-fast")) {
      reply.put("grid", grid.status());
    }
    return ok(reply);
  }

  private Reply users(String method, String name, Document body, Caller admin) {
    if (name.isEmpty()) {
      return switch (method) {
        case "GET" -> ok(store.users());
        case "POST" -> {
          String user = body.requireString("name");
          store.createUser(user, body.requireString("password"), strings(body, "groups"));
          changed(admin, "created user " + user);
          yield new Reply(201, store.user(user).orElseThrow());
        }
        default -> notAllowed(method, "users");
      };
    }
    return switch (method) {
      case "GET" -> ok(found(store.user(name).orElse(null), "user", name));
      case "PUT", "PATCH" -> {
        found(store.user(name).orElse(null), "user", name);
        if (body.has("password")) {
          store.setPassword(name, body.requireString("password"));
          changed(admin, "changed the password of user " + name);
        }
        if (body.has("groups")) {
          store.setGroups(name, strings(body, "groups"));
          changed(admin, "set the groups of user " + name + " to " + strings(body, "groups"));
        }
        if (body.has("disabled")) {
          boolean disabled = body.booleanValue("disabled").orElse(false);
          store.setDisabled(name, disabled);
          changed(admin, (disabled ? "disabled" : "enabled") + " user " + name);
        }
        yield ok(store.user(name).orElseThrow());
      }
      case "DELETE" -> {
        store.deleteUser(name);
        changed(admin, "removed user " + name);
        yield ok(Map.of("removed", name));
      }
      default -> notAllowed(method, "users/" + name);
    };
  }

  private Reply groups(String method, String name, Document body, Caller admin) {
    if (name.isEmpty()) {
      return switch (method) {
        case "GET" -> ok(store.groups());
        case "POST" -> {
          String group = body.requireString("name");
          store.createGroup(group, body.string("description").orElse(""));
          changed(admin, "created group " + group);
          yield new Reply(201, Map.of("name", group));
        }
        default -> notAllowed(method, "groups");
      };
    }
    if (method.equals("DELETE")) {
      store.deleteGroup(name);
      changed(admin, "removed group " + name);
      return ok(Map.of("removed", name));
    }
    return notAllowed(method, "groups/" + name);
  }

  private Reply acls(String method, String name, Document body, Caller admin) {
    if (name.isEmpty()) {
      return method.equals("GET") ? ok(store.acls()) : notAllowed(method, "acls");
    }
    return switch (method) {
      case "PUT" -> {
        store.putAcl(name, strings(body, "allow"), strings(body, "deny"));
        changed(admin, "set ACL " + name + " allow=" + strings(body, "allow") + " deny=" + strings(body, "deny"));
        yield ok(store.acls().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow());
      }
      case "DELETE" -> {
        store.deleteAcl(name);
        changed(admin, "removed ACL " + name);
        yield ok(Map.of("removed", name));
      }
      default -> notAllowed(method, "acls/" + name);
    };
  }

  private Reply assignments(String method, String target, Document body, Caller admin) {
    if (target.isEmpty()) {
      if (!method.equals("GET")) {
        return notAllowed(method, "acl-assignments");
      }
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("assigned", store.assignments());
      Map<String, String> fromPackages = new LinkedHashMap<>();
      registry.packages().forEach(p -> fromPackages.putAll(p.acls()));
      all.put("fromPackages", fromPackages);
      return ok(all);
    }
    return switch (method) {
      case "PUT" -> {
        String acl = body.requireString("acl");
        store.assign(target, acl);
        changed(admin, "assigned ACL " + acl + " to " + target);
        yield ok(Map.of("target", target, "acl", acl));
      }
      case "DELETE" -> {
        store.unassign(target);
        changed(admin, "removed the ACL assignment of " + target);
        yield ok(Map.of("removed", target));
      }
      default -> notAllowed(method, "acl-assignments/" + target);
    };
  }

  private void changed(Caller admin, String what) {
    realm.refresh();
    LOG.info("COH.0600.0001I administrator {} {}", admin.user(), what);
  }

  private static Set<String> strings(Document body, String field) {
    Set<String> values = new LinkedHashSet<>();
    for (Object o : body.list(field)) {
      if (!(o instanceof String s)) {
        throw new SecurityStoreException(
            SecurityStoreException.Kind.INVALID, "'" + field + "' must be a list of names");
      }
      values.add(s);
    }
    return values;
  }

  private static <T> T found(T value, String kind, String name) {
    if (value == null) {
      throw new SecurityStoreException(SecurityStoreException.Kind.NOT_FOUND, "no " + kind + " " + name);
    }
    return value;
  }

  private static Reply ok(Object body) {
    return new Reply(200, body);
  }

  private static Reply only(String method, String allowed, Supplier<Reply> reply) {
    if (!method.equals(allowed)) {
      throw new CohortError(ErrorCode.METHOD_NOT_ALLOWED, "only " + allowed + " is allowed here");
    }
    return reply.get();
  }

  private static Reply notAllowed(String method, String path) {
    throw new CohortError(ErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed on " + path);
  }

}
