import java.io.*; import java.net.*; import java.util.*;
/** The process {@link Drv} kills: {@code mb} MB of live heap, 200 idle threads, a socket on 45999. */
public class Srv {
  static List<byte[]> keep = new ArrayList<>();
  public static void main(String[] a) throws Exception {
    int mb = Integer.parseInt(a[0]);
    for (int i = 0; i < mb * 16; i++) { byte[] b = new byte[64 * 1024]; Arrays.fill(b, (byte) i); keep.add(b); }
    for (int i = 0; i < 200; i++) { Thread t = new Thread(() -> { try { Thread.sleep(1_000_000); } catch (InterruptedException e) {} }); t.setDaemon(true); t.start(); }
    ServerSocket ss = new ServerSocket(45999, 50, InetAddress.getLoopbackAddress());
    System.out.println("ready"); System.out.flush();
    Socket s = ss.accept();
    Thread.sleep(1_000_000);
  }
}
