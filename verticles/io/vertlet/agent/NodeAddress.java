package io.vertlet.agent;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * The node's IP when {@code --node-ip} is not given: the first IPv4 address of an interface that is
 * up and not loopback. Upstream resolves its own hostname instead, which stalls for seconds on a
 * machine without DNS; reading the interfaces never touches the network.
 */
final class NodeAddress {

  private NodeAddress() {}

  static String detect() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // fall through: a node without a usable interface still runs host-network pods on loopback
    }
    return "127.0.0.1";
  }
}
