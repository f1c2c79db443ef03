`default_nettype none
// Output stage of one result lane, three register stages (see models/chip/golden.py):
//   1: pre  = wrap32(acc + (bias_en ? bias : 0))
//   2: prod = pre * scale                           (exact signed 32 x 32 -> 64)
//   3: int8 mode : sat8((prod + 2**(shift-1)) >>> shift)  (no rounding term when shift = 0)
//      int32 mode: pre
//      then ReLU (max(x, 0)) if enabled.
// The int8 result leaves sign-extended in a 32-bit lane.
module requant (
    input  wire        clk,
    input  wire        rst,
    input  wire        in_valid,
    input  wire [31:0] acc,
    input  wire [31:0] bias,
    input  wire [31:0] scale,
    input  wire [5:0]  shift,
    input  wire        bias_en,
    input  wire        relu,
    input  wire        out_int8,
    output reg         out_valid,
    output reg  [31:0] out
);
    // stage 1
    reg        v1, relu1, int8_1;
    reg [5:0]  shift1;
    reg [31:0] pre1, scale1;
    // stage 2
    reg        v2, relu2, int8_2;
    reg [5:0]  shift2;
    reg [31:0] pre2;
    reg signed [63:0] prod2;

    // stage 3 combinational: round, shift, saturate, relu
    // 65 bits: prod can be +2**62 ((-2**31)**2) and the round term 2**62 at shift 63, whose sum
    // 2**63 does not fit a signed 64-bit value (found by the edge-value test).
    wire signed [64:0] round_term = (shift2 == 6'd0) ? 65'sd0 : (65'sd1 <<< (shift2 - 6'd1));
    wire signed [64:0] rounded = {prod2[63], prod2} + round_term;
    wire signed [64:0] shifted = rounded >>> shift2;
    wire [31:0] sat8 = (shifted > 65'sd127)  ? 32'd127 :
                       (shifted < -65'sd128) ? 32'hFFFF_FF80 : shifted[31:0];
    wire [31:0] value = int8_2 ? sat8 : pre2;
    wire [31:0] relu_value = (relu2 && value[31]) ? 32'd0 : value;

    always @(posedge clk) begin
        if (rst) begin
            v1 <= 1'b0; v2 <= 1'b0; out_valid <= 1'b0;
            relu1 <= 1'b0; int8_1 <= 1'b0; shift1 <= 6'd0; pre1 <= 32'd0; scale1 <= 32'd0;
            relu2 <= 1'b0; int8_2 <= 1'b0; shift2 <= 6'd0; pre2 <= 32'd0; prod2 <= 64'sd0;
            out <= 32'd0;
        end else begin
            v1     <= in_valid;
            pre1   <= acc + (bias_en ? bias : 32'd0);
            scale1 <= scale;
            shift1 <= shift;
            relu1  <= relu;
            int8_1 <= out_int8;

            v2     <= v1;
            prod2  <= $signed(pre1) * $signed(scale1);
            pre2   <= pre1;
            shift2 <= shift1;
            relu2  <= relu1;
            int8_2 <= int8_1;

            out_valid <= v2;
            out       <= relu_value;
        end
    end
endmodule
`default_nettype wire
