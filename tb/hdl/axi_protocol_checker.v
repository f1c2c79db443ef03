`default_nettype none
// Simulation-only protocol checker for one AXI4 (LITE = 0) or AXI4-Lite (LITE = 1) interface.
// It only watches: every input is a bus signal. On a violation it prints
//   "<time>: AXI protocol violation in <instance>: <rule>"
// and sets the sticky `violation` output (and counts `violations`); testbenches assert
// violation == 0 at the end of every test. Rules (docs/axi.md):
//
//   handshakes  VALID is never X after reset and is low during reset; once VALID is high it
//               stays high until READY (AW, W, B, AR, R); the payload is stable and not X
//               while VALID is high and READY low
//   bursts      (AXI4 only) AxBURST = INCR, AxSIZE = the bus width, the address aligned to the
//               bus width (CHECK_ALIGN), no burst crossing a 4 KB boundary, AxLEN + 1 at
//               most MAX_LEN beats (the master's own burst limit; 256 is the AXI4 INCR limit)
//   write data  WLAST on beat AWLEN (and only there), also when W runs ahead of AW
//   responses   a B only for a write whose address and last data beat were both accepted; an
//               R beat only for an accepted AR; RLAST on beat ARLEN (and only there)
//   capacity    more than MAX_PENDING bursts in flight is reported (checker limit)
//
// rd_outstanding = ARs accepted - read bursts finished (RLAST); wr_outstanding = AWs accepted -
// B responses. Both are 0 when the interface is quiet: abort tests check that.
module axi_protocol_checker #(
    parameter integer LITE        = 0,    // 1: AXI4-Lite (len/size/burst/last not used)
    parameter integer DATA_W      = 64,   // data width in bits
    parameter integer ADDR_W      = 32,   // address width in bits
    parameter integer MAX_PENDING = 64,   // bursts tracked per direction
    parameter integer CHECK_ALIGN = 1,    // AXI4: addresses must be aligned to the bus width
    parameter integer MAX_LEN     = 256   // AXI4: longest burst allowed, in beats (<= 256)
) (
    input  wire                clk,
    input  wire                rst,
    // write address
    input  wire [ADDR_W-1:0]   awaddr,
    input  wire [7:0]          awlen,
    input  wire [2:0]          awsize,
    input  wire [1:0]          awburst,
    input  wire                awvalid,
    input  wire                awready,
    // write data
    input  wire [DATA_W-1:0]   wdata,
    input  wire [DATA_W/8-1:0] wstrb,
    input  wire                wlast,
    input  wire                wvalid,
    input  wire                wready,
    // write response
    input  wire [1:0]          bresp,
    input  wire                bvalid,
    input  wire                bready,
    // read address
    input  wire [ADDR_W-1:0]   araddr,
    input  wire [7:0]          arlen,
    input  wire [2:0]          arsize,
    input  wire [1:0]          arburst,
    input  wire                arvalid,
    input  wire                arready,
    // read data
    input  wire [DATA_W-1:0]   rdata,
    input  wire [1:0]          rresp,
    input  wire                rlast,
    input  wire                rvalid,
    input  wire                rready,
    // results
    output reg                 violation,
    output reg  [31:0]         violations,
    output reg  [31:0]         rd_outstanding,
    output reg  [31:0]         wr_outstanding,
    output reg  [31:0]         rd_bursts,     // ARs accepted since reset
    output reg  [31:0]         wr_bursts      // AWs accepted since reset
);
    localparam integer BYTES = DATA_W / 8;
    localparam integer SZ    = $clog2(BYTES);

    integer n_viol;
    task fail(input [8*72-1:0] msg);
        begin
            n_viol = n_viol + 1;
            violation  <= 1'b1;
            violations <= n_viol;
            $display("%0t: AXI protocol violation in %m: %0s", $time, msg);
        end
    endtask

    // previous-cycle state of each channel, for the stability rules
    reg                     aw_wait, w_wait, b_wait, ar_wait, r_wait;
    reg [ADDR_W+13-1:0]     aw_prev, ar_prev;
    reg [DATA_W+BYTES:0]    w_prev;
    reg [1:0]               b_prev;
    reg [DATA_W+2:0]        r_prev;
    wire [ADDR_W+13-1:0]    aw_pay = {awaddr, awlen, awsize, awburst};
    wire [ADDR_W+13-1:0]    ar_pay = {araddr, arlen, arsize, arburst};
    wire [DATA_W+BYTES:0]   w_pay  = {wdata, wstrb, wlast};
    wire [DATA_W+2:0]       r_pay  = {rdata, rresp, rlast};

    // burst bookkeeping
    reg [7:0] aw_len_q [0:MAX_PENDING-1];
    reg [8:0] w_seen_q [0:MAX_PENDING-1];   // beats of a W burst that finished before its AW
    reg [7:0] ar_len_q [0:MAX_PENDING-1];
    integer aw_n, w_n, b_n, ar_n, r_n, w_beat, r_beat, len;
    reg     w_end, r_end, known;

    function crosses_4k(input [ADDR_W-1:0] addr, input [7:0] blen);
        crosses_4k = ({20'd0, addr[11:0]} + (({24'd0, blen} + 32'd1) << SZ)) > 32'd4096;
    endfunction

    task check_burst(input [8*2-1:0] ch, input [ADDR_W-1:0] addr, input [7:0] blen,
                     input [2:0] size, input [1:0] burst);
        begin
            if (burst !== 2'b01) fail({ch, "BURST is not INCR"});
            if (size !== SZ[2:0]) fail({ch, "SIZE is not the bus width"});
            if (CHECK_ALIGN != 0 && addr[SZ-1:0] !== {SZ{1'b0}}) fail({ch, "ADDR not aligned to the bus width"});
            if (crosses_4k(addr, blen)) fail({ch, " burst crosses a 4 KB boundary"});
            if ({24'd0, blen} + 32'd1 > MAX_LEN) fail({ch, "LEN longer than MAX_LEN beats"});
        end
    endtask

    task check_valid(input [8*7-1:0] name, input v);
        begin
            if (v !== 1'b0 && v !== 1'b1) fail({name, " is X/Z"});
        end
    endtask

    initial begin
        n_viol = 0;
        violation = 1'b0;
        violations = 32'd0;
    end

    reg rst_q = 1'b0;   // rst one cycle ago
    always @(posedge clk) rst_q <= rst;

    always @(posedge clk) begin
        if (rst) begin
            aw_wait <= 1'b0; w_wait <= 1'b0; b_wait <= 1'b0; ar_wait <= 1'b0; r_wait <= 1'b0;
            aw_n = 0; w_n = 0; b_n = 0; ar_n = 0; r_n = 0; w_beat = 0; r_beat = 0;
            rd_outstanding <= 32'd0; wr_outstanding <= 32'd0; rd_bursts <= 32'd0; wr_bursts <= 32'd0;
            // Synchronous resets: VALID may still be high in the first reset cycle (a reset
            // that arrives mid-transfer); from the second cycle of reset on it must be low.
            if (rst_q && (awvalid === 1'b1 || wvalid === 1'b1 || arvalid === 1'b1))
                fail("master VALID high during reset");
            if (rst_q && (bvalid === 1'b1 || rvalid === 1'b1)) fail("slave VALID high during reset");
        end else begin
            // ---------------- X on VALID / READY ----------------
            check_valid("AWVALID", awvalid); check_valid("WVALID", wvalid); check_valid("BVALID", bvalid);
            check_valid("ARVALID", arvalid); check_valid("RVALID", rvalid);
            if (awvalid === 1'b1) check_valid("AWREADY", awready);
            if (wvalid === 1'b1)  check_valid("WREADY", wready);
            if (bvalid === 1'b1)  check_valid("BREADY", bready);
            if (arvalid === 1'b1) check_valid("ARREADY", arready);
            if (rvalid === 1'b1)  check_valid("RREADY", rready);
            if (awvalid === 1'b1 && ^aw_pay === 1'bx) fail("AW payload is X while AWVALID");
            if (arvalid === 1'b1 && ^ar_pay === 1'bx) fail("AR payload is X while ARVALID");
            if (wvalid === 1'b1 && ^{wstrb, wlast} === 1'bx) fail("WSTRB/WLAST is X while WVALID");
            if (bvalid === 1'b1 && ^bresp === 1'bx) fail("BRESP is X while BVALID");
            if (rvalid === 1'b1 && ^{rresp, rlast} === 1'bx) fail("RRESP/RLAST is X while RVALID");

            // ---------------- stability: VALID held until READY, payload stable ----------------
            if (aw_wait && awvalid !== 1'b1) fail("AWVALID dropped before AWREADY");
            if (aw_wait && awvalid === 1'b1 && aw_pay !== aw_prev) fail("AW payload changed while waiting for AWREADY");
            if (w_wait && wvalid !== 1'b1) fail("WVALID dropped before WREADY");
            if (w_wait && wvalid === 1'b1 && w_pay !== w_prev) fail("W payload changed while waiting for WREADY");
            if (b_wait && bvalid !== 1'b1) fail("BVALID dropped before BREADY");
            if (b_wait && bvalid === 1'b1 && bresp !== b_prev) fail("BRESP changed while waiting for BREADY");
            if (ar_wait && arvalid !== 1'b1) fail("ARVALID dropped before ARREADY");
            if (ar_wait && arvalid === 1'b1 && ar_pay !== ar_prev) fail("AR payload changed while waiting for ARREADY");
            if (r_wait && rvalid !== 1'b1) fail("RVALID dropped before RREADY");
            if (r_wait && rvalid === 1'b1 && r_pay !== r_prev) fail("R payload changed while waiting for RREADY");
            aw_wait <= awvalid === 1'b1 && awready !== 1'b1;  aw_prev <= aw_pay;
            w_wait  <= wvalid === 1'b1 && wready !== 1'b1;    w_prev  <= w_pay;
            b_wait  <= bvalid === 1'b1 && bready !== 1'b1;    b_prev  <= bresp;
            ar_wait <= arvalid === 1'b1 && arready !== 1'b1;  ar_prev <= ar_pay;
            r_wait  <= rvalid === 1'b1 && rready !== 1'b1;    r_prev  <= r_pay;

            // ---------------- read data (before AR: an R beat must follow its AR) ----------------
            if (rvalid === 1'b1 && rready === 1'b1) begin
                if (r_n >= ar_n) begin
                    fail("R beat without an outstanding AR");
                end else begin
                    len = (LITE != 0) ? 0 : ar_len_q[r_n % MAX_PENDING];
                    r_end = (r_beat == len);
                    if (LITE == 0 && rlast !== 1'b1 && r_end) fail("RLAST missing on the last beat of a read burst");
                    if (LITE == 0 && rlast === 1'b1 && !r_end) fail("RLAST before the last beat of a read burst");
                    if (r_end) begin
                        r_n = r_n + 1;
                        r_beat = 0;
                    end else begin
                        r_beat = r_beat + 1;
                    end
                end
            end
            // ---------------- read address ----------------
            if (arvalid === 1'b1 && arready === 1'b1) begin
                if (LITE == 0) check_burst("AR", araddr, arlen, arsize, arburst);
                ar_len_q[ar_n % MAX_PENDING] = (LITE != 0) ? 8'd0 : arlen;
                ar_n = ar_n + 1;
                if (ar_n - r_n > MAX_PENDING) fail("more reads in flight than MAX_PENDING (checker limit)");
            end

            // ---------------- write response (before this cycle's AW and W) ----------------
            if (bvalid === 1'b1 && bready === 1'b1) begin
                if (b_n >= aw_n || b_n >= w_n) fail("B response without a completed write (AW and last W)");
                else b_n = b_n + 1;
            end
            // ---------------- write address ----------------
            if (awvalid === 1'b1 && awready === 1'b1) begin
                if (LITE == 0) check_burst("AW", awaddr, awlen, awsize, awburst);
                aw_len_q[aw_n % MAX_PENDING] = (LITE != 0) ? 8'd0 : awlen;
                // W ran ahead of this AW and already finished: compare its beat count
                if (LITE == 0 && aw_n < w_n && w_seen_q[aw_n % MAX_PENDING] != {1'b0, awlen} + 9'd1)
                    fail("W burst length does not match AWLEN + 1 (W before AW)");
                aw_n = aw_n + 1;
                if (aw_n - b_n > MAX_PENDING) fail("more writes in flight than MAX_PENDING (checker limit)");
            end
            // ---------------- write data ----------------
            if (wvalid === 1'b1 && wready === 1'b1) begin
                known = (w_n < aw_n);
                len = (LITE != 0) ? 0 : (known ? aw_len_q[w_n % MAX_PENDING] : 255);
                if (LITE != 0) begin
                    w_end = 1'b1;
                end else if (known) begin
                    w_end = (w_beat == len);
                    if (wlast !== 1'b1 && w_end) fail("WLAST missing on the last beat of a write burst");
                    if (wlast === 1'b1 && !w_end) fail("WLAST before the last beat of a write burst");
                end else begin
                    w_end = (wlast === 1'b1) || (w_beat == 255);
                    if (w_end) w_seen_q[w_n % MAX_PENDING] = w_beat[8:0] + 9'd1;
                end
                if (w_end) begin
                    w_n = w_n + 1;
                    w_beat = 0;
                end else begin
                    w_beat = w_beat + 1;
                end
            end

            rd_outstanding <= ar_n - r_n;
            wr_outstanding <= aw_n - b_n;
            rd_bursts      <= ar_n;
            wr_bursts      <= aw_n;
        end
    end
endmodule
`default_nettype wire
