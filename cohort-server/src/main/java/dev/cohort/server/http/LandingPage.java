package dev.cohort.server.http;

/** The small page at {@code /}: what this is and how to call a service. */
final class LandingPage {

  private LandingPage() {}

  static String render(String nodeName, int serviceCount, String baseUrl) {
    String node = escape(nodeName);
    return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Cohort node %s</title>
        <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
        pre{background:#f4f4f4;padding:.8rem;overflow-x:auto}</style></head>
        <body>
        <h1>Cohort node <code>%s</code> is running</h1>
        <p>%d service(s) deployed. Call one with the Administrator password printed at first start:</p>
        <pre>curl -u Administrator:PASSWORD --json '{"name":"Ada"}' %s/invoke/samples.hello/greet</pre>
        <p>Health: <a href="/health/ready">/health/ready</a>. The admin API, metrics and package list are on the admin port (default 9999).</p>
        </body></html>
        """.formatted(node, node, serviceCount, escape(baseUrl));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
