package dev.era.launcher.egress;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The guest's DNS (its queries reach here whatever server it asks; see GuestNetworkGuard): A
 * queries for allowed names are answered with the addresses the proxy would connect to, anything
 * else about an allowed name with no records (NXDOMAIN where it does not resolve), and every other
 * name is REFUSED and reported. The guest cannot connect to those addresses itself; the answers
 * serve tools that look a name up before they use the proxy.
 */
final class DnsAnswerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
  static final int TTL_SECONDS = 30;

  private final EgressGate gate;

  DnsAnswerer(EgressGate gate) {
    this.gate = gate;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
    if (query.count(DnsSection.QUESTION) != 1) {
      ctx.writeAndFlush(response(query, null, DnsResponseCode.FORMERR));
      return;
    }
    DnsQuestion asked = query.recordAt(DnsSection.QUESTION);
    DnsQuestion question = new DefaultDnsQuestion(asked.name(), asked.type(), asked.dnsClass());
    gate.answer(question.name())
        .whenComplete(
            (addresses, failure) ->
                ctx.executor()
                    .execute(
                        () -> {
                          DatagramDnsResponse response = response(query, question, code(failure));
                          if (failure == null && question.type().equals(DnsRecordType.A)) {
                            addRecords(response, question, addresses);
                          }
                          ctx.writeAndFlush(response);
                        }));
  }

  private static DnsResponseCode code(Throwable failure) {
    if (failure == null) {
      return DnsResponseCode.NOERROR;
    }
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof EgressGate.Unknown ? DnsResponseCode.NXDOMAIN : DnsResponseCode.REFUSED;
  }

  private static DatagramDnsResponse response(
      DatagramDnsQuery query, DnsQuestion question, DnsResponseCode code) {
    DatagramDnsResponse response =
        new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
    response.setRecursionDesired(query.isRecursionDesired());
    response.setRecursionAvailable(true);
    response.setCode(code);
    if (question != null) {
      response.addRecord(DnsSection.QUESTION, question);
    }
    return response;
  }

  private static void addRecords(
      DatagramDnsResponse response, DnsQuestion question, List<InetAddress> addresses) {
    for (InetAddress address : addresses) {
      response.addRecord(
          DnsSection.ANSWER,
          new DefaultDnsRawRecord(
              question.name(),
              DnsRecordType.A,
              TTL_SECONDS,
              Unpooled.wrappedBuffer(address.getAddress())));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A malformed datagram: drop it and keep answering.
  }
}
