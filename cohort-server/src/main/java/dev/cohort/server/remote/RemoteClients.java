package dev.cohort.server.remote;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cohort.api.ServiceException;
import dev.cohort.client.CohortClient;
import dev.cohort.client.CohortClientException;
import dev.cohort.client.OutcomeUnknownException;
import dev.cohort.client.ServiceFailedException;
import dev.cohort.client.UnavailableException;
import dev.cohort.server.config.RemoteConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SDK clients behind {@code pub.remote:invoke}, two per alias used: one that may go to the
 * other members of the remote cluster and one that goes only to the alias's server and its retry
 * server. Each keeps one session on the remote side for all of this node's calls through the
 * alias.
 */
public final class RemoteClients implements RemoteInvoke.Remote, AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteClients.class);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Map<String, CohortClient> clients = new ConcurrentHashMap<>();
  private final java.util.Set<String> asked = ConcurrentHashMap.newKeySet();
  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Map<String, Object> call(
      RemoteConfig.Alias alias, String service, Map<String, Object> input, boolean clusterRetry) {
    CohortClient client = client(alias, clusterRetry);
    if (clusterRetry && client.clusterMode().isEmpty() && asked.add(alias.name())) {
      // The remote side's mode decides the path from the first call on; after that the client
      // learns it again by itself when the remote membership changes.
      client.refreshMembers();
    }
    if (clusterRetry && !client.clusterMode().equals("stateful") && !client.clusterMode().isEmpty()) {
      // Seed semantics: only a stateful remote cluster is retried member by member.
      client = client(alias, false);
    }
    try {
      return mapper.convertValue(client.invoke(service, input), MAP);
    } catch (ServiceFailedException e) {
      throw new ServiceException(
          "remote service " + service + " (alias " + alias.name() + ") failed: " + e.getMessage());
    } catch (UnavailableException | OutcomeUnknownException e) {
      LOG.warn("COH.0800.0001W remote alias {}: {}", alias.name(), e.getMessage());
      throw new ServiceException("alias " + alias.name() + ": " + e.getMessage());
    } catch (CohortClientException e) {
      throw new ServiceException("alias " + alias.name() + ": " + e.getMessage());
    }
  }

  private CohortClient client(RemoteConfig.Alias alias, boolean clusterRetry) {
    return clients.computeIfAbsent(
        alias.name() + (clusterRetry ? "/cluster" : "/direct"),
        k -> {
          CohortClient.Builder b =
              CohortClient.builder()
                  .servers(alias.url())
                  .credentials(alias.user(), alias.password().reveal())
                  .allowRedirect(clusterRetry)
                  .requestTimeout(alias.timeout())
                  .failoverTimeout(alias.failoverTimeout());
          alias.retryServer().ifPresent(b::retryServer);
          return b.build();
        });
  }

  @Override
  public void close() {
    clients.values().forEach(CohortClient::close);
    clients.clear();
  }
}
