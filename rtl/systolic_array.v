`default_nettype none
// ARRAY_N x ARRAY_N output-stationary array of `pe`, with the input skew built in:
// row i of A (byte i of a_edge) and its flags are delayed i cycles, column j of B (byte j of
// b_edge) is delayed j cycles, so PE(i, j) meets a[i][k] and b[k][j] at cycle k + i + j after
// they enter. The result of row `rd_row` is read combinationally (one 32-bit lane per column).
module systolic_array #(
    parameter integer ARRAY_N = 8  // rows = columns of processing elements
) (
    input  wire                     clk,
    input  wire                     rst,
    // edge inputs, one k-step per cycle
    input  wire [ARRAY_N*8-1:0]     a_edge,     // byte i: A[i][k]
    input  wire [ARRAY_N*8-1:0]     b_edge,     // byte j: B[k][j]
    input  wire                     valid_edge,
    input  wire                     first_edge,
    input  wire                     last_edge,
    // result read port
    input  wire [((ARRAY_N > 1) ? $clog2(ARRAY_N) : 1)-1:0]            rd_row,
    output wire [ARRAY_N*32-1:0]    rd_data     // lane j: res of PE(rd_row, j)
);

    // Horizontal wires: a/flags between columns (ARRAY_N+1 per row); vertical: b between rows.
    wire [7:0]  a_h     [0:ARRAY_N*(ARRAY_N+1)-1];
    wire        v_h     [0:ARRAY_N*(ARRAY_N+1)-1];
    wire        f_h     [0:ARRAY_N*(ARRAY_N+1)-1];
    wire        l_h     [0:ARRAY_N*(ARRAY_N+1)-1];
    wire [7:0]  b_v     [0:(ARRAY_N+1)*ARRAY_N-1];
    wire [31:0] res_w   [0:ARRAY_N*ARRAY_N-1];

    genvar i, j;
    generate
        for (i = 0; i < ARRAY_N; i = i + 1) begin : g_skew_row
            // row i: i registers of delay for A byte i and the flags
            reg [7:0] a_d [0:i];
            reg       v_d [0:i];
            reg       f_d [0:i];
            reg       l_d [0:i];
            always @(*) begin
                a_d[0] = a_edge[8*i +: 8];
                v_d[0] = valid_edge;
                f_d[0] = first_edge;
                l_d[0] = last_edge;
            end
            if (i > 0) begin : g_dly
                integer s;
                always @(posedge clk) begin
                    for (s = 1; s <= i; s = s + 1) begin
                        if (rst) begin
                            a_d[s] <= 8'd0; v_d[s] <= 1'b0; f_d[s] <= 1'b0; l_d[s] <= 1'b0;
                        end else begin
                            a_d[s] <= a_d[s-1]; v_d[s] <= v_d[s-1];
                            f_d[s] <= f_d[s-1]; l_d[s] <= l_d[s-1];
                        end
                    end
                end
            end
            assign a_h[i*(ARRAY_N+1)] = a_d[i];
            assign v_h[i*(ARRAY_N+1)] = v_d[i];
            assign f_h[i*(ARRAY_N+1)] = f_d[i];
            assign l_h[i*(ARRAY_N+1)] = l_d[i];
        end
        for (j = 0; j < ARRAY_N; j = j + 1) begin : g_skew_col
            reg [7:0] b_d [0:j];
            always @(*) b_d[0] = b_edge[8*j +: 8];
            if (j > 0) begin : g_dly
                integer s;
                always @(posedge clk) begin
                    for (s = 1; s <= j; s = s + 1) begin
                        if (rst) b_d[s] <= 8'd0;
                        else     b_d[s] <= b_d[s-1];
                    end
                end
            end
            assign b_v[j] = b_d[j];
        end
        for (i = 0; i < ARRAY_N; i = i + 1) begin : g_row
            for (j = 0; j < ARRAY_N; j = j + 1) begin : g_col
                wire [31:0] res_pe;
                pe u_pe (
                    .clk(clk), .rst(rst),
                    .a_in(a_h[i*(ARRAY_N+1)+j]), .valid_in(v_h[i*(ARRAY_N+1)+j]),
                    .first_in(f_h[i*(ARRAY_N+1)+j]), .last_in(l_h[i*(ARRAY_N+1)+j]),
                    .b_in(b_v[i*ARRAY_N+j]),
                    .a_out(a_h[i*(ARRAY_N+1)+j+1]), .valid_out(v_h[i*(ARRAY_N+1)+j+1]),
                    .first_out(f_h[i*(ARRAY_N+1)+j+1]), .last_out(l_h[i*(ARRAY_N+1)+j+1]),
                    .b_out(b_v[(i+1)*ARRAY_N+j]),
                    .res(res_pe)
                );
                assign res_w[i*ARRAY_N+j] = res_pe;
            end
        end
        for (j = 0; j < ARRAY_N; j = j + 1) begin : g_rd
            assign rd_data[32*j +: 32] = res_w[rd_row*ARRAY_N+j];
        end
    endgenerate
endmodule
`default_nettype wire
