import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Answers "hello" to every connection on the port given, on every address: run by
 * GuestNetworkIsolationIT inside a network namespace of its own (java TcpHello.java PORT).
 */
public class TcpHello {
  public static void main(String[] args) throws Exception {
    try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]))) {
      System.out.println("listening");
      System.out.flush();
      while (true) {
        try (Socket client = server.accept();
            OutputStream out = client.getOutputStream()) {
          out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
        }
      }
    }
  }
}
